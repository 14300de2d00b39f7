/**
 * Pure mappers from CSV export rows to normalized transactions (SPEC §8), one per format, each with
 * a raw sample above it. A row that cannot be read is rejected with its line and a reason; it never
 * stops the import.
 */
import { TRANSACTION_TYPES, checkShape, type TransactionType } from '../../domain/transactions.js';
import { DecimalSum, abs, isDecimalString, isNegative, isPositive, isZero, normalize, sub } from '../../lib/decimal.js';
import type { SourceMovement, SourceTransaction } from '../connector.js';
import { assetOf, contentHash } from '../exchange/exchange.mapper.js';
import { krakenBalanceCode } from '../exchange/quirks/kraken.js';
import type { CsvFormat, CsvRow, MapOutcome, RejectedRow } from './csv.types.js';

/** A row could not be read: becomes one entry of the rejected-rows report. */
export class RowError extends Error {}

/** Header names (as exported) that identify each format; the first format whose names are all present wins. */
export const FORMAT_HEADERS: [CsvFormat, string[]][] = [
  ['coinbase', ['Timestamp', 'Transaction Type', 'Asset', 'Quantity Transacted']],
  ['kraken-ledgers', ['txid', 'refid', 'time', 'type', 'asset', 'amount', 'fee']],
  ['binance', ['UTC_Time', 'Account', 'Operation', 'Coin', 'Change']],
  ['binance-autoinvest', ['Auto-Invest Date(UTC)', 'Holding Coin', 'Amount per period', 'Trading Fee', 'Units']],
  ['binance-eth-staking', ['Date(UTC)', 'Coin', 'Token', 'Amount', 'Status']],
  ['generic', ['timestamp', 'type']],
];

/** The format a header row names, or null. */
export function detectFormat(header: string[]): CsvFormat | null {
  const names = new Set(header.map((h) => h.trim()));
  return FORMAT_HEADERS.find(([, cols]) => cols.every((c) => names.has(c)))?.[0] ?? null;
}

/** An amount as exported: currency signs, spaces and thousands separators dropped (`-€1,597.4` → `-1597.4`). */
export function amountOf(cell: string, what: string): string {
  const s = cell.trim().replace(/[\s,]/g, '');
  const m = /^(-?)[^\d.-]*(-?)(\d*\.?\d+|\d+\.)$/.exec(s);
  if (!m || (m[1] && m[2])) throw new RowError(`${what} is not a number: ${JSON.stringify(cell)}`);
  const value = `${m[1] || m[2]}${m[3]}`;
  if (!isDecimalString(value)) throw new RowError(`${what} is not a number: ${JSON.stringify(cell)}`);
  return normalize(value);
}

/** `10.00000000 USDT` → { quantity: '10', unit: 'USDT' }. */
export function amountWithUnit(cell: string, what: string): { quantity: string; unit: string } {
  const m = /^\s*(\S+)\s+([A-Za-z0-9]+)\s*$/.exec(cell);
  if (!m) throw new RowError(`${what} must be an amount and a unit: ${JSON.stringify(cell)}`);
  return { quantity: amountOf(m[1]!, what), unit: m[2]! };
}

/**
 * A time as exported, always UTC: ISO 8601 (with `Z` or an offset), `YYYY-MM-DD HH:MM[:SS[.fff]][ UTC]`,
 * `M/D/YYYY H:MM[:SS]`, or all digits (epoch milliseconds; 10 digits: seconds).
 */
export function timeOf(cell: string): number {
  const s = cell.trim();
  let ms = Number.NaN;
  if (/^\d{13}$/.test(s)) ms = Number(s);
  else if (/^\d{10}(\.\d+)?$/.test(s)) ms = Math.round(Number(s) * 1000);
  else if (/^\d{4}-\d{2}-\d{2}T/.test(s)) ms = /(Z|[+-]\d{2}:?\d{2})$/.test(s) ? Date.parse(s) : Number.NaN;
  else {
    let m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?(?: ?(?:UTC|Z))?$/.exec(s);
    if (m) ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0), Math.round(Number(m[7] ?? 0) * 1000));
    m = m ? null : /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
    if (m) ms = Date.UTC(+m[3]!, +m[1]! - 1, +m[2]!, +m[4]!, +m[5]!, +(m[6] ?? 0));
  }
  if (!Number.isFinite(ms)) throw new RowError(`unreadable time ${JSON.stringify(cell)}`);
  return ms;
}

const iso = (ms: number) => new Date(ms).toISOString();

function mv(source: string, code: string, quantity: string, rawId?: string): SourceMovement {
  return { ...assetOf(source, code, rawId), quantity: abs(quantity) };
}

function required(row: CsvRow, column: string): string {
  const v = row.get(column).trim();
  if (v === '') throw new RowError(`${column} is empty`);
  return v;
}

function tx(p: Omit<SourceTransaction, 'status' | 'fees' | 'inputs' | 'outputs'> & Partial<Pick<SourceTransaction, 'status' | 'fees' | 'inputs' | 'outputs'>>): SourceTransaction {
  const t: SourceTransaction = { status: 'confirmed', inputs: [], outputs: [], fees: [], ...p };
  t.fees = t.fees.filter((f) => isPositive(f.quantity));
  try {
    checkShape(t.type, t.inputs.length, t.outputs.length);
  } catch (e) {
    throw new RowError((e as Error).message);
  }
  return t;
}

/** Runs a per-row mapper, collecting rejections instead of failing. */
function eachRow(rows: CsvRow[], map: (row: CsvRow) => SourceTransaction | null, out: MapOutcome): void {
  for (const row of rows) {
    try {
      const t = map(row);
      if (t) out.records.push(t);
      else out.skipped++;
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      out.rejected.push({ row: row.line, reason: e.message });
    }
  }
}

/*
 * Raw sample (Coinbase "Transaction history" export, 2024+ layout):
 *   ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,Subtotal,Total (inclusive of fees and/or spread),Fees and/or Spread,Notes
 *   623d6507925c200001fcbXXX,2022-03-25 06:45:27 UTC,Buy,BTC,0.00166779,EUR,€39999.331136545,€67.01,€70.00,€2.99,Bought 0.00166779 BTC for 70 EUR
 * → buy: inputs 67.01 EUR, outputs 0.00166779 BTC, fee 2.99 EUR; fingerprint coinbase:<ID>.
 */
export function mapCoinbaseRow(row: CsvRow): SourceTransaction | null {
  const kind = required(row, 'Transaction Type').toLowerCase();
  const asset = required(row, 'Asset');
  const qty = amountOf(required(row, 'Quantity Transacted'), 'Quantity Transacted');
  const ts = iso(timeOf(required(row, 'Timestamp')));
  const fiat = (row.get('Price Currency') || row.get('Spot Price Currency')).trim();
  const cell = (c: string) => (row.get(c).trim() === '' ? null : amountOf(row.get(c), c));
  const subtotal = cell('Subtotal');
  const fee = cell('Fees and/or Spread');
  const notes = row.get('Notes').trim();
  const id = row.get('ID').trim() || contentHash(row.values);
  const base = { fingerprint: `coinbase:${id}`, timestamp: ts, provider_transaction_id: id, description: notes || kind, raw: row.values };
  const coin = mv('coinbase', asset, qty);
  const fiatLeg = (q: string | null) => (fiat && q !== null && !isZero(q) ? [mv('coinbase', fiat, q)] : []);
  const fees = fee !== null && fiat ? [mv('coinbase', fiat, fee)] : [];
  if (isZero(qty)) throw new RowError('Quantity Transacted is zero');
  switch (kind) {
    case 'buy':
    case 'advanced trade buy':
      return tx({ ...base, type: 'buy', inputs: fiatLeg(subtotal), outputs: [coin], fees });
    case 'sell':
    case 'advanced trade sell':
      return tx({ ...base, type: 'sell', inputs: [coin], outputs: fiatLeg(subtotal), fees });
    case 'send':
    case 'withdrawal':
      return tx({ ...base, type: 'send', inputs: [coin], fees: [] });
    case 'receive':
    case 'deposit':
      return tx({ ...base, type: 'receive', outputs: [coin] });
    case 'staking income':
    case 'rewards income':
    case 'inflation reward':
      return tx({ ...base, type: 'staking_reward', outputs: [coin] });
    case 'learning reward':
    case 'coinbase earn':
      return tx({ ...base, type: 'airdrop', outputs: [coin] });
    case 'convert': {
      const m = /Converted\s+([\d.,]+)\s+(\S+)\s+to\s+([\d.,]+)\s+(\S+)/i.exec(notes);
      if (!m) throw new RowError('Convert row without "Converted X A to Y B" in Notes');
      return tx({ ...base, type: 'trade', inputs: [coin], outputs: [mv('coinbase', m[4]!, amountOf(m[3]!, 'converted quantity'))], fees });
    }
    default:
      throw new RowError(`unknown Transaction Type ${JSON.stringify(row.get('Transaction Type'))}`);
  }
}

/** Kraken's asset spelling → code: `XXBT` → `XBT`, `ZUSD` → `USD`, `DOT.S` → `DOT`. */
export function krakenCode(asset: string): string {
  const a = krakenBalanceCode(asset.trim());
  return /^[XZ][A-Z]{3}$/.test(a) ? a.slice(1) : a;
}

/*
 * Raw sample (Kraken "Ledgers" export; hand-written test file, see test/fixtures/csv/README.md):
 *   "txid","refid","time","type","subtype","aclass","asset","wallet","amount","fee","balance"
 *   "L7RLII-OLTQ2-LNNPUF","TJKLXX-PGMUI-4NTLXU","2023-07-04 09:54:44","trade","","currency","ZUSD","spot / main",-600.2000,0.9600,24835.0100
 *   "LZ5R4F-2H3EX-RM7XHR","TJKLXX-PGMUI-4NTLXU","2023-07-04 09:54:44","trade","","currency","XXBT","spot / main",0.0200000000,0,1.2635
 * → rows grouped by refid: buy 0.02 XBT for 600.2 USD, fee 0.96 USD.
 */
export function mapKrakenLedgers(rows: CsvRow[], out: MapOutcome): void {
  const groups = new Map<string, CsvRow[]>();
  for (const row of rows) {
    const ref = row.get('refid').trim() || row.get('txid').trim() || contentHash(row.values);
    (groups.get(ref) ?? groups.set(ref, []).get(ref)!).push(row);
  }
  for (const [refid, group] of groups) {
    try {
      const t = mapKrakenGroup(refid, group);
      if (t) out.records.push(t);
      else out.skipped += group.length;
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      for (const r of group) out.rejected.push({ row: r.line, reason: e.message });
    }
  }
}

function mapKrakenGroup(refid: string, rows: CsvRow[]): SourceTransaction | null {
  const nets = new Map<string, { raw: string; sum: DecimalSum }>();
  const fees: SourceMovement[] = [];
  let ts = 0;
  const types = new Set<string>();
  for (const r of rows) {
    const asset = required(r, 'asset');
    const code = krakenCode(asset);
    const amount = amountOf(required(r, 'amount'), 'amount');
    const fee = r.get('fee').trim() === '' ? '0' : amountOf(r.get('fee'), 'fee');
    ts = Math.max(ts, timeOf(required(r, 'time')));
    types.add(`${r.get('type')} ${r.get('subtype')}`.trim().toLowerCase());
    (nets.get(code) ?? nets.set(code, { raw: asset.replace(/\.[SMFBP]$/, ''), sum: new DecimalSum() }).get(code)!).sum.add(amount);
    if (isPositive(fee)) fees.push(mv('kraken', code, fee, asset.replace(/\.[SMFBP]$/, '')));
  }
  const legs = [...nets].map(([code, n]) => ({ code, raw: n.raw, q: n.sum.value() })).filter((l) => !isZero(l.q));
  const inputs = legs.filter((l) => isNegative(l.q)).map((l) => mv('kraken', l.code, l.q, l.raw));
  const outputs = legs.filter((l) => isPositive(l.q)).map((l) => mv('kraken', l.code, l.q, l.raw));
  const words = [...types].join(' ');
  const base = { fingerprint: `kraken:${refid}`, timestamp: iso(ts), provider_transaction_id: refid, description: words, raw: rows.map((r) => r.values), fees };
  if (inputs.length === 0 && outputs.length === 0) {
    // a move between the user's own Kraken wallets (spot ↔ staking/earn): nothing left the account
    if (fees.length > 0) return tx({ ...base, type: 'fee', inputs: fees, fees: [] });
    return null;
  }
  let type: TransactionType = 'uncategorized';
  if (/trade|spend|receive|conversion|sale/.test(words) && inputs.length > 0 && outputs.length > 0) {
    const fiatIn = inputs.some((m) => m.asset_id.startsWith('fiat:'));
    const fiatOut = outputs.some((m) => m.asset_id.startsWith('fiat:'));
    type = fiatIn ? 'buy' : fiatOut ? 'sell' : 'trade';
  } else if (/deposit/.test(words) && inputs.length === 0) type = 'receive';
  else if (/withdrawal/.test(words) && outputs.length === 0) type = 'send';
  else if (/staking|reward|earn|dividend/.test(words) && inputs.length === 0) type = 'staking_reward';
  return tx({ ...base, type, inputs, outputs });
}

const BINANCE_TRADE_OPS = /^(buy|sell|transaction (buy|spend|sold|revenue|fee|related)|fee|small assets exchange bnb|binance convert|large otc trading)$/i;

/*
 * Raw sample (Binance "Transaction History" statement; hand-written test file from Binance's documented columns):
 *   User_ID,UTC_Time,Account,Operation,Coin,Change,Remark
 *   12345678,2022-01-03 10:00:00,Spot,Transaction Buy,BTC,0.001,""
 *   12345678,2022-01-03 10:00:00,Spot,Transaction Spend,USDT,-46.5,""
 *   12345678,2022-01-03 10:00:00,Spot,Transaction Fee,BNB,-0.0001,""
 * → rows of one trade (same time and account) grouped: trade 46.5 USDT → 0.001 BTC, fee 0.0001 BNB.
 */
export function mapBinanceStatement(rows: CsvRow[], out: MapOutcome): void {
  const trades = new Map<string, CsvRow[]>();
  const singles: CsvRow[] = [];
  for (const row of rows) {
    if (BINANCE_TRADE_OPS.test(row.get('Operation').trim())) {
      const k = `${row.get('UTC_Time').trim()}|${row.get('Account').trim()}`;
      (trades.get(k) ?? trades.set(k, []).get(k)!).push(row);
    } else singles.push(row);
  }
  for (const group of trades.values()) {
    try {
      const ts = timeOf(required(group[0]!, 'UTC_Time'));
      const legs = new Map<string, DecimalSum>();
      const fees: SourceMovement[] = [];
      for (const r of group) {
        const coin = required(r, 'Coin');
        const change = amountOf(required(r, 'Change'), 'Change');
        if (/fee/i.test(r.get('Operation'))) fees.push(mv('binance', coin, change));
        else (legs.get(coin) ?? legs.set(coin, new DecimalSum()).get(coin)!).add(change);
      }
      const ls = [...legs].map(([c, s]) => ({ c, q: s.value() })).filter((l) => !isZero(l.q));
      const inputs = ls.filter((l) => isNegative(l.q)).map((l) => mv('binance', l.c, l.q));
      const outputs = ls.filter((l) => isPositive(l.q)).map((l) => mv('binance', l.c, l.q));
      const fiatIn = inputs.some((m) => m.asset_id.startsWith('fiat:'));
      const fiatOut = outputs.some((m) => m.asset_id.startsWith('fiat:'));
      const id = contentHash(group.map((r) => r.values));
      out.records.push(
        tx({ fingerprint: `binance:${id}`, timestamp: iso(ts), type: fiatIn ? 'buy' : fiatOut ? 'sell' : 'trade', inputs, outputs, fees, provider_transaction_id: id, description: 'trade', raw: group.map((r) => r.values) }),
      );
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      for (const r of group) out.rejected.push({ row: r.line, reason: e.message });
    }
  }
  eachRow(singles, (row) => {
    const op = required(row, 'Operation');
    const coin = required(row, 'Coin');
    const change = amountOf(required(row, 'Change'), 'Change');
    if (isZero(change)) throw new RowError('Change is zero');
    const m = mv('binance', coin, change);
    const id = contentHash(row.values);
    const base = { fingerprint: `binance:${id}`, timestamp: iso(timeOf(required(row, 'UTC_Time'))), provider_transaction_id: id, description: op, raw: row.values };
    const o = op.toLowerCase();
    if (/transfer|subscription|redemption|savings purchase|staking purchase|main and funding/.test(o)) return null; // between own wallets
    if (o === 'deposit') return tx({ ...base, type: 'receive', outputs: [m] });
    if (o === 'withdraw') return tx({ ...base, type: 'send', inputs: [m] });
    if (/interest|savings|earn/.test(o)) return tx({ ...base, type: 'interest', outputs: [m] });
    if (/staking|reward/.test(o)) return tx({ ...base, type: 'staking_reward', outputs: [m] });
    if (/distribution|airdrop/.test(o)) return tx({ ...base, type: 'airdrop', outputs: [m] });
    return tx({ ...base, type: 'uncategorized', inputs: isNegative(change) ? [m] : [], outputs: isNegative(change) ? [] : [m] });
  }, out);
}

/*
 * Raw sample (Binance Auto-Invest export, dali-rp2 test file):
 *   Auto-Invest Date(UTC),Holding Coin,Amount per period,Trading Fee,Units,From,Status
 *   5/1/2022 14:00,ETH,10.00000000 USDT,0.00250000 USDT,0.01000000 ETH,Flexible Savings,Success
 * → trade: inputs 10 USDT, outputs 0.01 ETH, fee 0.0025 USDT.
 */
export function mapBinanceAutoInvestRow(row: CsvRow): SourceTransaction | null {
  const status = row.get('Status').trim();
  if (status && status.toLowerCase() !== 'success') throw new RowError(`Status is ${status}, not Success`);
  const spent = amountWithUnit(required(row, 'Amount per period'), 'Amount per period');
  const got = amountWithUnit(required(row, 'Units'), 'Units');
  const fee = row.get('Trading Fee').trim() ? amountWithUnit(row.get('Trading Fee'), 'Trading Fee') : null;
  const id = contentHash(row.values);
  return tx({
    fingerprint: `binance-autoinvest:${id}`,
    timestamp: iso(timeOf(required(row, 'Auto-Invest Date(UTC)'))),
    type: 'trade',
    inputs: [mv('binance', spent.unit, sub(spent.quantity, fee && fee.unit === spent.unit ? fee.quantity : '0'))],
    outputs: [mv('binance', got.unit, got.quantity)],
    fees: fee ? [mv('binance', fee.unit, fee.quantity)] : [],
    provider_transaction_id: id,
    description: `auto-invest from ${row.get('From').trim()}`,
    raw: row.values,
  });
}

/*
 * Raw sample (Binance ETH 2.0 staking export, dali-rp2 test file):
 *   Date(UTC),Coin,Token,Amount,Status
 *   2021-03-01 12:00:00,ETH,BETH,0.1,Success
 * → swap: inputs 0.1 ETH, outputs 0.1 BETH (staked ether is received 1:1 as BETH).
 */
export function mapBinanceEthStakingRow(row: CsvRow): SourceTransaction | null {
  const status = row.get('Status').trim();
  if (status && status.toLowerCase() !== 'success') throw new RowError(`Status is ${status}, not Success`);
  const q = amountOf(required(row, 'Amount'), 'Amount');
  if (!isPositive(q)) throw new RowError('Amount must be positive');
  const id = contentHash(row.values);
  return tx({
    fingerprint: `binance-eth-staking:${id}`,
    timestamp: iso(timeOf(required(row, 'Date(UTC)'))),
    type: 'swap',
    inputs: [mv('binance', required(row, 'Coin'), q)],
    outputs: [mv('binance', required(row, 'Token'), q)],
    provider_transaction_id: id,
    description: 'ETH 2.0 staking',
    raw: row.values,
  });
}

/*
 * Raw sample (Tortie generic CSV, docs/csv-format.md):
 *   id,timestamp,type,sent_asset,sent_quantity,received_asset,received_quantity,fee_asset,fee_quantity,tx_hash,description
 *   t-1,2024-01-02T03:04:05Z,buy,USD,100,BTC,0.0025,USD,1.5,,first buy
 * → buy: inputs 100 USD, outputs 0.0025 BTC, fee 1.5 USD; fingerprint generic:t-1.
 */
export function mapGenericRow(row: CsvRow): SourceTransaction | null {
  const type = required(row, 'type').toLowerCase() as TransactionType;
  if (!TRANSACTION_TYPES.includes(type)) throw new RowError(`type must be one of ${TRANSACTION_TYPES.join(', ')}`);
  const leg = (a: string, q: string) => {
    const asset = row.get(a).trim();
    const qty = row.get(q).trim();
    if (!asset && !qty) return [];
    if (!asset || !qty) throw new RowError(`${a} and ${q} go together`);
    const v = amountOf(qty, q);
    if (!isPositive(v)) throw new RowError(`${q} must be positive`);
    return [mv('csv', asset, v)];
  };
  const id = row.get('id').trim() || contentHash(row.values);
  return tx({
    fingerprint: `generic:${id}`,
    timestamp: iso(timeOf(required(row, 'timestamp'))),
    type,
    inputs: leg('sent_asset', 'sent_quantity'),
    outputs: leg('received_asset', 'received_quantity'),
    fees: leg('fee_asset', 'fee_quantity'),
    tx_hash: row.get('tx_hash').trim() || null,
    provider_transaction_id: id,
    description: row.get('description').trim() || null,
    raw: row.values,
  });
}

/** Maps every data row of a file of the given format. */
export function mapRows(format: CsvFormat, rows: CsvRow[]): MapOutcome {
  const out: MapOutcome = { records: [], rejected: [], skipped: 0 };
  switch (format) {
    case 'coinbase':
      eachRow(rows, mapCoinbaseRow, out);
      break;
    case 'kraken-ledgers':
      mapKrakenLedgers(rows, out);
      break;
    case 'binance':
      mapBinanceStatement(rows, out);
      break;
    case 'binance-autoinvest':
      eachRow(rows, mapBinanceAutoInvestRow, out);
      break;
    case 'binance-eth-staking':
      eachRow(rows, mapBinanceEthStakingRow, out);
      break;
    case 'generic':
      eachRow(rows, mapGenericRow, out);
      break;
  }
  return out;
}

/** Drops records whose fingerprint repeats an earlier one (the same export row twice), rejecting them. */
export function dedupe(records: SourceTransaction[], lineOf: (t: SourceTransaction) => number): { records: SourceTransaction[]; rejected: RejectedRow[] } {
  const seen = new Map<string, number>();
  const kept: SourceTransaction[] = [];
  const rejected: RejectedRow[] = [];
  for (const t of records) {
    const first = seen.get(t.fingerprint);
    if (first !== undefined) rejected.push({ row: lineOf(t), reason: `duplicate of row ${first} (same id ${t.provider_transaction_id})` });
    else {
      seen.set(t.fingerprint, lineOf(t));
      kept.push(t);
    }
  }
  return { records: kept, rejected };
}

/** Balances the transactions imply: outputs − inputs − fees per asset; only positive sums are kept. */
export function impliedBalances(records: SourceTransaction[]): { asset_id: string; asset_symbol: string; quantity: string }[] {
  const by = new Map<string, { symbol: string; sum: DecimalSum }>();
  const add = (m: SourceMovement, sign: 1 | -1) => {
    const e = by.get(m.asset_id) ?? by.set(m.asset_id, { symbol: m.asset_symbol, sum: new DecimalSum() }).get(m.asset_id)!;
    e.sum.add(sign === 1 ? m.quantity : `-${m.quantity}`);
  };
  for (const t of records) {
    if (t.status === 'failed') continue;
    for (const m of t.outputs) add(m, 1);
    for (const m of t.inputs) add(m, -1);
    for (const m of t.fees) add(m, -1);
  }
  return [...by]
    .map(([asset_id, e]) => ({ asset_id, asset_symbol: e.symbol, quantity: e.sum.value() }))
    .filter((p) => isPositive(p.quantity))
    .sort((a, b) => (a.asset_id < b.asset_id ? -1 : 1));
}
