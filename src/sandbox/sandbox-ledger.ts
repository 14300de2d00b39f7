/**
 * The sandbox source: a deterministic synthetic history for one user's sandbox accounts, shaped
 * like what the real connectors deliver (normalized `TransactionRecord`s and the balances the source
 * reports as `PositionRecord`s).
 *
 * Rules the generated data keeps (the demo and its tests rely on them):
 * - Every transaction type appears with the shape its type fixes (SPEC §8): deposits and
 *   withdrawals, fiat buys and sells with fiat fees, crypto-to-crypto trades, DEX swaps paying gas,
 *   staking rewards, interest, mining payouts, airdrops (including UNPRICED tokens), fee-only
 *   records (a `fee` transaction carries the charged amount as its input and has no fee items),
 *   uncategorized adjustments and contract calls.
 * - Balances: only `confirmed` transactions move balances. `pending` ones (only in the last few days
 *   before the run day) and `failed` ones move nothing; a failed transaction lists no fees. The
 *   positions are exactly Σ outputs − Σ inputs − Σ fees of the confirmed transactions per asset,
 *   zero positions dropped, and no balance ever goes below zero at any point of the history
 *   (a pending or failed outflow is also affordable when it happens).
 * - Values: each movement's value is its exact quantity × the synthetic price of the asset on the
 *   transaction's UTC day, in the value currency (null when the asset has no price).
 * - Internal transfers between two of the user's accounts are marked on both sides
 *   (`is_internal_transfer`, `counterparty_account_id`) and share a tx hash.
 * The same `Prng` state and options always give the same records.
 */
import type { MovementRecord, PositionRecord, TransactionRecord } from '../domain/records.js';
import type { TransactionStatus, TransactionType } from '../domain/transactions.js';
import type { AssetInfo } from '../domain/assets.js';
import { DAY_MS, isoOf } from '../lib/clock.js';
import { fromBaseUnits, mul } from '../lib/decimal.js';
import type { Prng } from '../lib/prng.js';
import { SYNTHETIC_SOURCE, dayNumber, type SyntheticSeries } from '../prices/synthetic-series.js';
import { txHashFor } from './sandbox-addresses.js';
import { assetsOf, fiatInfo, type SandboxProviderId } from './sandbox-assets.js';
import { DraftBuilder, TYPE_WEIGHTS, type AccountState, type Draft, type Leg, type SandboxAccountSpec } from './sandbox-drafts.js';

export const SANDBOX_CONNECTOR_VERSION = 'sandbox/1';

export type { SandboxAccountSpec } from './sandbox-drafts.js';

export interface SandboxLedgerOptions {
  rng: Prng;
  accounts: readonly SandboxAccountSpec[];
  /** Fiat currency the user funds exchange and custodian accounts in (`USD`, `EUR`, …). */
  homeFiat: string;
  /** Currency of every value (the enterprise's base currency). */
  currency: string;
  /** Exactly this many transactions across the user's accounts. */
  transactions: number;
  /** Timestamps fall in [startMs, endMs). */
  startMs: number;
  endMs: number;
  /** Transactions at or after this time may be `pending`; null for none. */
  pendingFromMs: number | null;
  /** Scales amounts (a wealthier user moves more). */
  wealth: number;
  prices: SyntheticSeries;
}

export interface SandboxAccountLedger {
  accountId: string;
  transactions: TransactionRecord[];
  positions: PositionRecord[];
}

const ACCOUNT_ACTIVITY: Record<SandboxProviderId, number> = { 'sandbox-exchange': 3, 'sandbox-custodian': 1.5, 'sandbox-wallet': 2 };
const MAY_FAIL = new Set<TransactionType>(['send', 'buy', 'sell', 'trade', 'swap']);
const MAY_PEND = new Set<TransactionType>(['send', 'receive', 'buy', 'sell', 'trade', 'swap']);

export class SandboxLedgerGenerator {
  private readonly rng: Prng;
  private readonly accounts: AccountState[];
  private readonly drafts: DraftBuilder;
  private readonly userTypes: Set<TransactionType>;
  private readonly seen = new Set<TransactionType>();

  constructor(private readonly o: SandboxLedgerOptions) {
    this.rng = o.rng;
    this.drafts = new DraftBuilder(o.rng, o.prices, fiatInfo(o.homeFiat), o.wealth);
    this.accounts = o.accounts.map((spec) => ({ spec, kind: spec.provider_id, bal: new Map(), assets: new Map(), records: [], depositAddresses: new Map() }));
    this.userTypes = new Set(this.accounts.flatMap((a) => TYPE_WEIGHTS[a.kind].map(([t]) => t)));
    if (this.accounts.length >= 2) {
      this.userTypes.add('send');
      this.userTypes.add('receive');
    }
  }

  generate(): SandboxAccountLedger[] {
    const { rng, o } = this;
    if (!this.accounts.length) return [];
    const times: number[] = [];
    for (let i = 0; i < o.transactions; i++) times.push(o.startMs + Math.floor(rng.next() * (o.endMs - o.startMs)));
    times.sort((a, b) => a - b);

    let i = 0;
    while (i < times.length) {
      const t = times[i] as number;
      const remaining = times.length - i;
      const unseen = [...this.userTypes].filter((x) => !this.seen.has(x));
      const forced = remaining <= unseen.length + 1 ? unseen[0] : undefined;
      if (forced === undefined && remaining >= 2 && this.accounts.length >= 2 && rng.chance(0.05)) {
        const next = times[i + 1] as number;
        if (this.internalTransfer(t, next)) {
          i += 2;
          continue;
        }
      }
      this.event(t, forced);
      i++;
    }
    return this.accounts.map((a) => ({ accountId: a.spec.id, transactions: a.records, positions: this.positions(a) }));
  }

  // ----- one event -------------------------------------------------------------------------

  private event(t: number, forced: TransactionType | undefined): void {
    const { rng } = this;
    const day = dayNumber(t);
    let acc: AccountState;
    let type: TransactionType;
    if (forced !== undefined) {
      const able = this.accounts.filter((a) => TYPE_WEIGHTS[a.kind].some(([x]) => x === forced));
      acc = able.length ? rng.pick(able) : rng.pick(this.accounts);
      type = able.length ? forced : rng.weighted(TYPE_WEIGHTS[acc.kind]);
    } else {
      acc = rng.weighted(this.accounts.map((a) => [a, ACCOUNT_ACTIVITY[a.kind]] as const));
      type = rng.weighted(TYPE_WEIGHTS[acc.kind]);
    }
    // a source's first record funds it
    let draft = acc.records.length === 0 ? this.drafts.funding(acc, day) : this.drafts.build(acc, type, day);
    if (draft === null || !this.affordable(acc, draft)) draft = this.drafts.funding(acc, day);
    let status: TransactionStatus = 'confirmed';
    if (this.o.pendingFromMs !== null && t >= this.o.pendingFromMs && MAY_PEND.has(draft.type) && rng.chance(0.4)) status = 'pending';
    else if (MAY_FAIL.has(draft.type) && acc.records.length > 3 && rng.chance(0.012)) status = 'failed';
    this.emit(acc, draft, t, status, null);
  }

  /** A send from one of the user's accounts and the matching receive in another, marked on both sides. */
  private internalTransfer(t: number, next: number): boolean {
    const { rng } = this;
    const [a, b] = rng.shuffle([...this.accounts]) as [AccountState, AccountState];
    if (!a.records.length) return false;
    const shared = assetsOf(a.kind).crypto.filter((x) => assetsOf(b.kind).crypto.some((y) => y.asset_id === x.asset_id));
    const asset = this.drafts.pickHeld(a, shared);
    if (!asset) return false;
    const day = dayNumber(t);
    const bal = a.bal.get(asset.asset_id) ?? 0n;
    const fee = this.drafts.transferFee(a, asset, day);
    let units = this.drafts.fraction(a, asset, bal, 200, 900);
    if (fee.asset.asset_id === asset.asset_id && units + fee.units > bal) units = this.drafts.truncate(a, asset, bal - fee.units);
    // the receiving side reports the quantity at its own precision: transfer only what both can show
    units = this.drafts.truncate(b, asset, units);
    if (units <= 0n) return false;
    const send: Draft = {
      type: 'send',
      inputs: [{ asset, units }],
      outputs: [],
      fees: [fee],
      description: `Transfer ${asset.symbol} to own account`,
      network: asset.network,
      tx_hash: txHashFor(asset, rng),
      from_address: a.spec.address ?? this.drafts.depositAddress(a, asset),
      to_address: b.spec.address ?? this.drafts.depositAddress(b, asset),
    };
    if (!this.affordable(a, send)) return false;
    const receive: Draft = { ...send, type: 'receive', inputs: [], outputs: [{ asset, units }], fees: [], description: `Transfer ${asset.symbol} from own account` };
    const arrival = t + Math.min(rng.int(60_000, 1_800_000), Math.max(0, next - t));
    this.emit(a, send, t, 'confirmed', b.spec.id);
    this.emit(b, receive, arrival, 'confirmed', a.spec.id);
    return true;
  }

  // ----- recording ---------------------------------------------------------------------------

  private affordable(acc: AccountState, d: Draft): boolean {
    for (const [assetId, delta] of this.deltas(d)) {
      if ((acc.bal.get(assetId) ?? 0n) + delta < 0n) return false;
    }
    return true;
  }

  private deltas(d: Draft): Map<string, bigint> {
    const m = new Map<string, bigint>();
    for (const l of d.outputs) m.set(l.asset.asset_id, (m.get(l.asset.asset_id) ?? 0n) + l.units);
    for (const l of [...d.inputs, ...d.fees]) m.set(l.asset.asset_id, (m.get(l.asset.asset_id) ?? 0n) - l.units);
    return m;
  }

  private emit(acc: AccountState, d: Draft, t: number, status: TransactionStatus, counterparty: string | null): void {
    const day = dayNumber(t);
    const fees = status === 'failed' ? [] : d.fees;
    if (status === 'confirmed') {
      for (const [assetId, delta] of this.deltas(d)) acc.bal.set(assetId, (acc.bal.get(assetId) ?? 0n) + delta);
    }
    for (const l of [...d.inputs, ...d.outputs, ...d.fees]) acc.assets.set(l.asset.asset_id, l.asset);
    this.seen.add(d.type);
    const n = acc.records.length + 1;
    const inputs = d.inputs.map((l) => this.movement(l, day));
    const outputs = d.outputs.map((l) => this.movement(l, day));
    const feeItems = fees.map((l) => this.movement(l, day));
    const priced = [...inputs, ...outputs, ...feeItems].some((m) => m.value !== null);
    const timestamp = isoOf(t);
    const ptid = this.providerTxId(acc, d, timestamp, n);
    acc.records.push({
      fingerprint: ptid,
      timestamp,
      type: d.type,
      status,
      inputs,
      outputs,
      fees: feeItems,
      value_currency: this.o.currency,
      network: d.network ?? null,
      tx_hash: d.tx_hash ?? null,
      from_address: d.from_address ?? null,
      to_address: d.to_address ?? null,
      provider_transaction_id: ptid,
      description: d.description,
      is_internal_transfer: counterparty !== null,
      counterparty_account_id: counterparty,
      connector_version: SANDBOX_CONNECTOR_VERSION,
      price_source: priced ? SYNTHETIC_SOURCE : null,
      priced_at: priced ? isoOf(day * DAY_MS) : null,
    });
  }

  private providerTxId(acc: AccountState, d: Draft, timestamp: string, n: number): string {
    if (acc.kind === 'sandbox-wallet' && d.tx_hash) return `${d.tx_hash}:${this.rng.int(0, 40)}`;
    const prefix = acc.kind === 'sandbox-exchange' ? 'SX' : 'SC';
    return `${prefix}-${timestamp.slice(0, 4)}${timestamp.slice(5, 7)}${timestamp.slice(8, 10)}-${String(n).padStart(5, '0')}-${this.rng.hex(6)}`;
  }

  private movement(l: Leg, day: number): MovementRecord {
    const quantity = fromBaseUnits(l.units, l.asset.decimals);
    const price = this.o.prices.priceOn(l.asset.asset_id, this.o.currency, day);
    return { asset_id: l.asset.asset_id, asset_symbol: l.asset.symbol, quantity, value: price === null ? null : mul(quantity, price) };
  }

  private positions(acc: AccountState): PositionRecord[] {
    const out: PositionRecord[] = [];
    for (const [assetId, units] of [...acc.bal.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
      if (units === 0n) continue;
      if (units < 0n) throw new Error(`sandbox: negative balance of ${assetId}`); // generation bug: never stored
      const a = acc.assets.get(assetId) as AssetInfo;
      out.push({ asset_id: assetId, asset_symbol: a.symbol, asset_name: a.name, network: a.network, quantity: fromBaseUnits(units, a.decimals), connector_version: SANDBOX_CONNECTOR_VERSION });
    }
    return out;
  }
}

/** Generates the history and positions of one user's sandbox accounts. */
export function generateSandboxLedger(o: SandboxLedgerOptions): SandboxAccountLedger[] {
  return new SandboxLedgerGenerator(o).generate();
}
