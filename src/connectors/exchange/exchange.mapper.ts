/**
 * Pure mappers: ccxt structures (amounts as strings, `number = String`) → normalized source
 * records (SPEC §8). No I/O; everything the mappers need about the exchange comes in as arguments.
 */
import { createHash } from 'node:crypto';
import type { PositionRecord } from '../../domain/records.js';
import { MAJOR_ASSETS, fiatAssetId, isFiatCurrency } from '../../domain/assets.js';
import type { TransactionStatus, TransactionType } from '../../domain/transactions.js';
import { isoOf } from '../../lib/clock.js';
import { DecimalSum, abs, isDecimalString, isPositive, isZero, mul, normalize } from '../../lib/decimal.js';
import type { SourceMovement, SourceTransaction } from '../connector.js';
import type { RawBalance, RawFee, RawLedgerEntry, RawMarket, RawNum, RawTrade, RawTransfer } from './exchange.types.js';

/** Stable ids of well-known tickers (SPEC §2); `XBT` is Kraken's and BitMEX's spelling of bitcoin. */
const WELL_KNOWN = new Map<string, string>([...MAJOR_ASSETS.map((a) => [a.symbol, a.asset_id] as const), ['XBT', 'bitcoin']]);

/**
 * The asset of a ccxt currency code: well-known tickers and ISO fiat codes get their stable ids;
 * anything else is kept as `<exchange>:<id as the exchange spells it>` (never dropped).
 *
 *   assetOf('kraken', 'XBT')            → { asset_id: 'bitcoin', asset_symbol: 'XBT' }
 *   assetOf('kraken', 'FLOW', 'FLOWH')  → { asset_id: 'kraken:FLOWH', asset_symbol: 'FLOW' }
 */
export function assetOf(exchange: string, code: string, rawId?: string | null): { asset_id: string; asset_symbol: string } {
  const upper = code.toUpperCase();
  if (isFiatCurrency(upper)) return { asset_id: fiatAssetId(upper), asset_symbol: upper };
  const known = WELL_KNOWN.get(upper);
  if (known) return { asset_id: known, asset_symbol: code };
  return { asset_id: `${exchange}:${rawId || code}`, asset_symbol: code };
}

/** Resolves a ccxt currency code to the exchange's own spelling (ccxt unifies `XXBT` → `BTC`). */
export type RawIdOf = (code: string) => string | undefined;

/** A ccxt numeric field as a minimal decimal string, or null when absent or not a plain decimal. */
export function decimalOf(v: RawNum): string | null {
  if (v === null || v === undefined || v === '') return null;
  const s = typeof v === 'number' ? numberToPlain(v) : String(v).trim();
  return isDecimalString(s) ? normalize(s) : null;
}

function numberToPlain(n: number): string {
  // ccxt computes a few fields itself (e.g. timestamps, some costs); print them without exponent
  return Number.isFinite(n) ? n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 }) : 'NaN';
}

function movement(exchange: string, code: string, quantity: string, rawIdOf: RawIdOf): SourceMovement {
  return { ...assetOf(exchange, code, rawIdOf(code)), quantity: abs(quantity) };
}

function feeItems(exchange: string, fees: (RawFee | null | undefined)[], rawIdOf: RawIdOf): SourceMovement[] {
  const byCode = new Map<string, DecimalSum>();
  for (const f of fees) {
    const cost = f ? decimalOf(f.cost) : null;
    if (!f?.currency || cost === null || isZero(cost)) continue;
    (byCode.get(f.currency) ?? byCode.set(f.currency, new DecimalSum()).get(f.currency)!).add(abs(cost));
  }
  return [...byCode].map(([code, s]) => movement(exchange, code, s.value(), rawIdOf));
}

/** sha256 hex of a canonical JSON value: a fingerprint for records that carry no id. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

/*
 * Raw sample (binance fetchMyTrades, ccxt Trade with number = String):
 *   { id: '309520010', order: '3784695242', timestamp: 1698138992358, symbol: 'LTC/USDT',
 *     side: 'sell', price: '69.63', amount: '0.2', cost: '13.926',
 *     fee: { cost: '0.013926', currency: 'USDT' }, info: { … } }
 * → sell: inputs 0.2 LTC, outputs 13.926 USDT, fee 0.013926 USDT (fiat quote → buy/sell, else trade).
 */
/**
 * One own trade → a buy/sell (against fiat) or trade (crypto/crypto) with base and quote legs and
 * its fee as fee items. Returns null for a trade that moves nothing spot (contracts, zero amounts).
 */
export function mapTrade(exchange: string, t: RawTrade, market: RawMarket | undefined, rawIdOf: RawIdOf): SourceTransaction | null {
  if (!market || market.spot === false || !t.timestamp) return null;
  const amount = decimalOf(t.amount);
  if (amount === null || !isPositive(amount)) return null;
  let cost = decimalOf(t.cost);
  if (cost === null) {
    const price = decimalOf(t.price);
    if (price === null) return null;
    cost = mul(amount, price);
  }
  const base = movement(exchange, market.base, amount, rawIdOf);
  const quote = movement(exchange, market.quote, cost, rawIdOf);
  const buying = t.side === 'buy';
  const fiatQuote = isFiatCurrency(market.quote.toUpperCase());
  const fiatBase = isFiatCurrency(market.base.toUpperCase());
  const type: TransactionType = fiatQuote ? (buying ? 'buy' : 'sell') : fiatBase ? (buying ? 'sell' : 'buy') : 'trade';
  const legs = [base, quote].filter((m) => isPositive(m.quantity));
  const inputs = legs.filter((m) => (buying ? m === quote : m === base));
  const outputs = legs.filter((m) => (buying ? m === base : m === quote));
  if (inputs.length === 0 || outputs.length === 0) return null;
  const id = t.id ?? contentHash([t.symbol, t.timestamp, t.side, t.amount, t.price, t.order]);
  return {
    fingerprint: `trade:${market.symbol}:${id}`,
    timestamp: isoOf(t.timestamp),
    type,
    status: 'confirmed',
    inputs,
    outputs,
    fees: feeItems(exchange, t.fees && t.fees.length > 0 ? t.fees : [t.fee], rawIdOf),
    provider_transaction_id: id,
    description: `${t.side ?? ''} ${market.symbol}`.trim(),
    raw: t.info ?? t,
  };
}

const TRANSFER_STATUS: Record<string, TransactionStatus> = { ok: 'confirmed', pending: 'pending', failed: 'failed', canceled: 'failed' };

/*
 * Raw sample (kraken fetchWithdrawals, ccxt Transaction with number = String):
 *   { id: 'FTM6UXZ-5jh345jkhfkdsjfhkjdf', txid: '45j43kh54jk3h', timestamp: 1714923602000,
 *     type: 'withdrawal', amount: '10', currency: 'USDT', status: 'ok', network: 'Tron',
 *     address: '4h5j43kh5j3k4hjk5h34jk5', fee: { cost: '3', currency: 'USDT' }, info: { … } }
 * → send: inputs 10 USDT, fee 3 USDT, tx_hash 45j43kh54jk3h.
 */
/** A deposit → receive; a withdrawal → send with its network fee. Null for a zero or unknown record. */
export function mapTransfer(exchange: string, t: RawTransfer, rawIdOf: RawIdOf): SourceTransaction | null {
  const amount = decimalOf(t.amount);
  if (!t.currency || amount === null || isZero(amount) || !t.timestamp) return null;
  const kind = t.type === 'withdrawal' ? 'withdrawal' : t.type === 'deposit' ? 'deposit' : null;
  if (!kind) return null;
  const m = movement(exchange, t.currency, amount, rawIdOf);
  const id = t.id ?? t.txid ?? contentHash([t.type, t.currency, t.amount, t.timestamp, t.address]);
  return {
    fingerprint: `${kind}:${id}`,
    timestamp: isoOf(t.timestamp),
    type: kind === 'deposit' ? 'receive' : 'send',
    status: TRANSFER_STATUS[t.status ?? ''] ?? 'pending',
    inputs: kind === 'withdrawal' ? [m] : [],
    outputs: kind === 'deposit' ? [m] : [],
    fees: kind === 'withdrawal' ? feeItems(exchange, [t.fee], rawIdOf) : [],
    network: t.network ?? null,
    tx_hash: t.txid ?? null,
    from_address: t.addressFrom ?? null,
    to_address: t.addressTo ?? (kind === 'withdrawal' ? (t.address ?? null) : null),
    provider_transaction_id: id,
    description: kind,
    raw: t.info ?? t,
  };
}

/** The income a ledger entry's raw type words describe, or null when another stream covers it. */
export function incomeTypeOf(words: string): TransactionType | null {
  const w = words.toLowerCase();
  if (/allocation|deallocation|transfer|spottostaking|stakingtospot|subscri|redeem|unstake/.test(w)) return null;
  if (/airdrop|distribution|dividend/.test(w)) return 'airdrop';
  if (/interest|lending|savings|flexible/.test(w)) return 'interest';
  if (/staking|stake|reward|earn|mining/.test(w)) return 'staking_reward';
  return null;
}

function wordsOf(e: RawLedgerEntry): string {
  const info = (e.info ?? {}) as Record<string, unknown>;
  return [e.type, info['type'], info['subtype'], info['bizType'], info['subType'], info['description']]
    .filter((x) => typeof x === 'string')
    .join(' ');
}

/*
 * Raw sample (kraken fetchLedger, hand-written from Kraken's Ledgers documentation):
 *   { id: 'L4UESK-KG3EQ-UFO4T5', referenceId: 'RUSB7W6-ZD5GU-2NA3JB', timestamp: 1688464484123,
 *     direction: 'in', type: 'staking', currency: 'DOT', amount: '0.0158730000',
 *     info: { type: 'staking', subtype: '', asset: 'DOT.S', … } }
 * → staking_reward: outputs 0.015873 DOT.
 */
/**
 * A ledger entry → staking_reward / interest / airdrop when it is income. Trades, deposits,
 * withdrawals and transfers between the user's own sub-wallets come from their own streams (or
 * are internal), so they map to null here and are never counted twice.
 */
export function mapLedgerEntry(exchange: string, e: RawLedgerEntry, rawIdOf: RawIdOf): SourceTransaction | null {
  const amount = decimalOf(e.amount);
  if (!e.currency || amount === null || isZero(amount) || !e.timestamp) return null;
  if (e.direction === 'out' || amount.startsWith('-')) return null;
  const type = incomeTypeOf(wordsOf(e));
  if (!type) return null;
  const id = e.id ?? contentHash([e.referenceId, e.type, e.currency, e.amount, e.timestamp]);
  return {
    fingerprint: `ledger:${id}`,
    timestamp: isoOf(e.timestamp),
    type,
    status: 'confirmed',
    inputs: [],
    outputs: [movement(exchange, e.currency, amount, rawIdOf)],
    fees: [],
    provider_transaction_id: id,
    description: e.type ?? null,
    raw: e.info ?? e,
  };
}

/*
 * Raw sample (okx fetchBalance, two wallets, ccxt Balances with number = String):
 *   trading: { info: {…}, total: { TUSD: '3000', USDT: '0.0000000001' }, … }
 *   funding: { info: {…}, total: { TUSD: '100' }, … }
 * → [{ asset_id: 'okx:TUSD', quantity: '3100', raw: { wallets: { trading: '3000', funding: '100' } } }, …]
 */
/**
 * Balances of several sub-wallets (spot, funding, earn…) merged per asset: quantities are summed
 * exactly, zero balances dropped, and the split per wallet kept as the position's raw record.
 * `codeOf` folds an exchange's wallet-specific codes onto the asset (Kraken's `DOT.S` → `DOT`).
 */
export function mergeBalances(
  exchange: string,
  wallets: { name: string; balance: RawBalance }[],
  rawIdOf: RawIdOf,
  codeOf: (code: string) => string = (c) => c,
): PositionRecord[] {
  const byAsset = new Map<string, { symbol: string; sum: DecimalSum; wallets: Record<string, string> }>();
  for (const { name, balance } of wallets) {
    for (const [rawCode, raw] of Object.entries(balance.total ?? {})) {
      const q = decimalOf(raw);
      if (q === null || isZero(q)) continue;
      const code = codeOf(rawCode);
      const { asset_id, asset_symbol } = assetOf(exchange, code, rawIdOf(code));
      const entry = byAsset.get(asset_id) ?? byAsset.set(asset_id, { symbol: asset_symbol, sum: new DecimalSum(), wallets: {} }).get(asset_id)!;
      entry.sum.add(q);
      const key = rawCode === code ? name : `${name}:${rawCode}`;
      entry.wallets[key] = entry.wallets[key] ? normalize(new DecimalSum().add(entry.wallets[key]).add(q).value()) : q;
    }
  }
  return [...byAsset]
    .map(([asset_id, e]) => ({ asset_id, asset_symbol: e.symbol, quantity: e.sum.value(), raw: { wallets: e.wallets } }))
    .filter((p) => isPositive(p.quantity))
    .sort((a, b) => (a.asset_id < b.asset_id ? -1 : a.asset_id > b.asset_id ? 1 : 0));
}
