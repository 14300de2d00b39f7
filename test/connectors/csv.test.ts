/**
 * The CSV import connector: the shared contract on real (Coinbase, Binance) and hand-written
 * (Kraken ledgers, Binance statement, generic) export files; the RFC 4180 reader's edge cases; the
 * rejected-rows report; idempotent re-import; implied balances.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PermanentConnectorError, type Connection } from '../../src/connectors/connector.js';
import { parseCsv } from '../../src/connectors/file-import/csv.client.js';
import { CsvConnector, importCsv } from '../../src/connectors/file-import/index.js';
import { TestClock } from '../../src/lib/clock.js';
import { runConnectorContract } from './contract.js';

const shared = (p: string) => readFileSync(new URL(`../../../shared/fixtures/csv/${p}`, import.meta.url));
const local = (p: string) => readFileSync(new URL(`../fixtures/csv/${p}`, import.meta.url));
const file = (content: Buffer | string, format = 'auto'): Connection => ({ type: 'file', file: { format, content: Buffer.from(content) } });
const ctx = { clock: new TestClock() };

const FILES: [string, Buffer, number][] = [
  ['coinbase (real export)', shared('export-to-ghostfolio/coinbase-export.csv'), 7],
  ['binance auto-invest (real export)', shared('dali-rp2/test_binance_autoinvest.csv'), 2],
  ['binance eth staking (real export)', shared('dali-rp2/test_binance_betheth.csv'), 1],
  ['kraken ledgers (hand-written)', local('kraken-ledgers.csv'), 4],
  ['binance statement (hand-written)', local('binance-statement.csv'), 4],
  ['generic (hand-written)', local('generic.csv'), 5],
];

for (const [name, content, minTransactions] of FILES) {
  runConnectorContract({
    name: `csv ${name}`,
    setup: async () => ({
      connector: new CsvConnector(),
      connection: file(content),
      badConnection: file('this is not,an export\n1,2\n'),
      minTransactions,
    }),
    skip: {
      fault_rate_limited: 'a file import makes no network call',
      fault_server_error: 'a file import makes no network call',
      fault_malformed_json: 'a file import makes no network call',
      fault_timeout: 'a file import makes no network call',
    },
  });
}

describe('RFC 4180 reader', () => {
  it('reads quoted commas, doubled quotes, embedded line breaks, BOM and CRLF', () => {
    const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""","line1\r\nline2"\r\n\r\nlast,,"" \n';
    const recs = parseCsv(text);
    expect(recs.map((r) => r.fields)).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'line1\r\nline2'],
      ['last', '', ' '],
    ]);
    expect(recs.map((r) => r.line)).toEqual([1, 2, 5]);
  });
  it('reads a last record without a line break, and lone CR line ends', () => {
    expect(parseCsv('a,b\rc,d').map((r) => r.fields)).toEqual([['a', 'b'], ['c', 'd']]);
  });
  it('refuses an unterminated quote (a truncated file)', () => {
    expect(() => parseCsv('a,b\n"open,1\n')).toThrow(/unterminated/);
  });
});

describe('CSV import', () => {
  it('maps the real Coinbase export exactly, and reports the repeated trade id as a duplicate', () => {
    const { records, report } = importCsv({ format: 'auto', content: shared('export-to-ghostfolio/coinbase-export.csv') });
    expect(report.format).toBe('coinbase');
    expect(report.imported).toBe(7);
    expect(report.rejected).toEqual([{ row: 9, reason: 'duplicate of row 8 (same id 623d6507925c200001fcbXXX)' }]);
    const buy = records.find((r) => r.type === 'buy')!;
    expect(buy).toMatchObject({
      fingerprint: 'coinbase:623d6507925c200001fcbXXX',
      timestamp: '2022-03-25T06:45:27.000Z',
      inputs: [{ asset_id: 'fiat:EUR', quantity: '67.01' }],
      outputs: [{ asset_id: 'bitcoin', quantity: '0.00166779' }],
      fees: [{ asset_id: 'fiat:EUR', quantity: '2.99' }],
    });
    const convert = records.find((r) => r.fingerprint === 'coinbase:67514944a3f9bf34890d8XXX')!;
    expect(convert).toMatchObject({ type: 'trade', inputs: [{ asset_id: 'bitcoin', quantity: '0.00363125' }], outputs: [{ asset_id: 'ripple', quantity: '156.145683' }] });
    const send = records.find((r) => r.type === 'send')!;
    expect(send.inputs).toEqual([{ asset_id: 'coinbase:ETH2', asset_symbol: 'ETH2', quantity: '0.180914809326' }]);
    expect(records.filter((r) => r.type === 'staking_reward')).toHaveLength(2);
  });

  it('groups Kraken ledger rows by refid, keeps staking wallets on their asset, and reports the bad row', async () => {
    const { records, report } = importCsv({ format: 'kraken-ledgers', content: local('kraken-ledgers.csv') });
    expect(report).toMatchObject({ format: 'kraken-ledgers', imported: 4, skipped: 2, rejected: [{ row: 9, reason: 'unreadable time "not a time"' }] });
    const trade = records.find((r) => r.fingerprint === 'kraken:TJKLXX-PGMUI-4NTLXU')!;
    expect(trade).toMatchObject({ type: 'buy', inputs: [{ asset_id: 'fiat:USD', quantity: '600.2' }], outputs: [{ asset_id: 'bitcoin', asset_symbol: 'XBT', quantity: '0.02' }], fees: [{ asset_id: 'fiat:USD', quantity: '0.96' }] });
    expect(records.find((r) => r.type === 'staking_reward')!.outputs).toEqual([{ asset_id: 'bitcoin', asset_symbol: 'XBT', quantity: '0.00001234' }]);
    const balances = await new CsvConnector().fetchBalances(file(local('kraken-ledgers.csv')), ctx);
    // 0.02 bought − 0.005 sent − 0.0001 fee + 0.00001234 reward (the staking transfer nets to zero)
    expect(balances).toEqual([
      { asset_id: 'bitcoin', asset_symbol: 'XBT', quantity: '0.01491234', connector_version: 'csv-import/1.0.0' },
      { asset_id: 'fiat:USD', asset_symbol: 'USD', quantity: '398.84', connector_version: 'csv-import/1.0.0' },
    ]);
  });

  it('reads the generic format exactly (one wei, quoted text, offsets) and rejects bad rows with reasons', () => {
    const { records, report } = importCsv({ format: 'generic', content: local('generic.csv') });
    expect(report.imported).toBe(5);
    expect(report.rejected).toEqual([
      { row: 7, reason: expect.stringMatching(/^type must be one of/) },
      { row: 8, reason: 'sent_quantity must be positive' },
    ]);
    expect(records.find((r) => r.fingerprint === 'generic:g-3')).toMatchObject({
      timestamp: '2024-01-31T23:00:00.000Z',
      outputs: [{ asset_id: 'ethereum', quantity: '0.000000000000000001' }],
      description: 'one wei\nof reward',
    });
    expect(records.find((r) => r.fingerprint === 'generic:g-2')!.description).toBe('first buy "DCA"');
    expect(records.find((r) => r.fingerprint === 'generic:g-4')!.timestamp).toBe('2024-02-01T00:00:00.000Z');
    expect(records.find((r) => r.fingerprint === 'generic:g-7')!.outputs[0]).toEqual({ asset_id: 'csv:FOO', asset_symbol: 'FOO', quantity: '12.5' });
  });

  it('groups a Binance statement trade and skips transfers between its own wallets', () => {
    const { records, report } = importCsv({ format: 'auto', content: local('binance-statement.csv') });
    expect(report).toMatchObject({ format: 'binance', imported: 4, skipped: 2, rejected: [{ row: 10, reason: 'Change is not a number: "abc"' }] });
    expect(records.find((r) => r.type === 'trade')).toMatchObject({
      inputs: [{ asset_id: 'ethereum:0xdac17f958d2ee523a2206206994597c13d831ec7', quantity: '46.5' }],
      outputs: [{ asset_id: 'bitcoin', quantity: '0.001' }],
      fees: [{ asset_id: 'bitcoin', quantity: '0.000001' }],
    });
  });

  it('importing the same file twice yields the same fingerprints (nothing new)', async () => {
    const c = new CsvConnector();
    const a = await c.fetchTransactions(file(local('generic.csv')), null, ctx);
    const b = await c.fetchTransactions(file(local('generic.csv')), a.cursor, ctx);
    expect(b.records.map((r) => r.fingerprint)).toEqual(a.records.map((r) => r.fingerprint));
    expect(a.cursor).toMatchObject({ report: { imported: 5 } });
  });

  it('refuses an unknown format, a declared format that does not match, and a file with no importable row', async () => {
    const c = new CsvConnector();
    const err = (conn: Connection) => c.validate(conn, ctx).then(() => null, (e: unknown) => e);
    expect(await err(file(local('generic.csv'), 'excel'))).toMatchObject({ cause_: 'not_supported' });
    expect(await err(file(local('generic.csv'), 'coinbase'))).toBeInstanceOf(PermanentConnectorError);
    expect(await err(file('id,timestamp,type\n1,never,buy\n'))).toMatchObject({ cause_: 'invalid_credentials', message: expect.stringContaining('row 2') });
  });
});
