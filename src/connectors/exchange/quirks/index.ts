/** The quirks of every supported exchange, by provider id. */
import { binance } from './binance.js';
import { bitstamp } from './bitstamp.js';
import { bybit } from './bybit.js';
import { coinbase } from './coinbase.js';
import { gemini } from './gemini.js';
import { kraken } from './kraken.js';
import { kucoin } from './kucoin.js';
import { okx } from './okx.js';
import type { ExchangeQuirks } from './quirks.js';

export const EXCHANGE_QUIRKS: Record<string, ExchangeQuirks> = { coinbase, kraken, binance, bitstamp, gemini, kucoin, okx, bybit };
export type { ExchangeQuirks, KeyPermissions, Paging, StreamPlan } from './quirks.js';
