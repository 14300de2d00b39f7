/**
 * The one contract suite every connector runs against recorded real responses (STYLE habit 6).
 *
 *   runConnectorContract({
 *     name: 'kraken',
 *     setup: async () => ({ connector, connection, badConnection, faults, teardown }),
 *     skip: { validateRejectsBadCredentials: 'the source has no credential check' },
 *   });
 *
 * A case a connector cannot support is skipped with a written reason; the reasons are listed in the
 * README's provider table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  PermanentConnectorError,
  RetryableConnectorError,
  type Connection,
  type Connector,
  type ConnectorContext,
  type SourceTransaction,
} from '../../src/connectors/connector.js';
import { findProvider } from '../../src/domain/providers.js';
import { TRANSACTION_TYPES, checkShape } from '../../src/domain/transactions.js';
import { add, isDecimalString, isPositive, isNegative, neg } from '../../src/lib/decimal.js';
import { TestClock } from '../../src/lib/clock.js';

export type FaultKind = 'rate_limited' | 'server_error' | 'malformed_json' | 'timeout';

export interface ContractSetup {
  connector: Connector;
  /** A connection the recorded responses answer successfully. */
  connection: Connection;
  /** A connection the source refuses (bad key, invalid address). */
  badConnection?: Connection;
  /** Makes the next requests to the source fail the given way until `clear` is called. */
  faults?: { inject(kind: FaultKind): void; clear(): void };
  /** At least this many transactions must come back from a full walk. */
  minTransactions?: number;
  /** At least this many positions. */
  minPositions?: number;
  teardown?: () => Promise<void>;
}

export type ContractCase =
  | 'validateAccepts'
  | 'validateRejectsBadCredentials'
  | 'balances'
  | 'transactions'
  | 'incremental'
  | 'deterministic'
  | 'fault_rate_limited'
  | 'fault_server_error'
  | 'fault_malformed_json'
  | 'fault_timeout';

export interface ContractOptions {
  name: string;
  setup: () => Promise<ContractSetup>;
  /** Cases this connector cannot support, each with the reason. */
  skip?: Partial<Record<ContractCase, string>>;
  /** Largest number of pages a full walk may take. */
  maxPages?: number;
}

/** Net quantity per asset implied by records (outputs − inputs − fees), exact. */
export function implied(records: readonly SourceTransaction[]): Map<string, string> {
  const m = new Map<string, string>();
  const bump = (a: string, q: string) => m.set(a, add(m.get(a) ?? '0', q));
  for (const r of records) {
    for (const x of r.outputs) bump(x.asset_id, x.quantity);
    for (const x of [...r.inputs, ...r.fees]) bump(x.asset_id, neg(x.quantity));
  }
  return m;
}

export async function walkHistory(connector: Connector, connection: Connection, ctx: ConnectorContext, cursor: Record<string, unknown> | null = null, maxPages = 500) {
  const records: SourceTransaction[] = [];
  for (let page = 0; page < maxPages; page++) {
    const p = await connector.fetchTransactions(connection, cursor, ctx);
    records.push(...p.records);
    // the cursor must survive a round trip through the database
    cursor = JSON.parse(JSON.stringify(p.cursor)) as Record<string, unknown>;
    if (p.done) return { records, cursor };
  }
  throw new Error(`history did not finish within ${maxPages} pages`);
}

/**
 * Where each run records its results (`pass`, `fail` or `skip: reason` per case), for the README's
 * provider table (`npm run docs:providers`).
 */
export const CONTRACT_RESULTS_DIR = fileURLToPath(new URL('../../test-artifacts/contract/', import.meta.url));

export function runConnectorContract(o: ContractOptions): void {
  describe(`connector contract: ${o.name}`, () => {
    let s: ContractSetup;
    const ctx: ConnectorContext = { clock: new TestClock(Date.parse('2026-11-01T00:00:00.000Z')) };
    const results: Record<string, string> = {};
    beforeAll(async () => {
      s = await o.setup();
    }, 60_000);
    afterAll(async () => {
      await s?.teardown?.();
      if (!s) return;
      mkdirSync(CONTRACT_RESULTS_DIR, { recursive: true });
      const file = `${CONTRACT_RESULTS_DIR}${o.name.replace(/[^a-z0-9-]+/gi, '_')}.json`;
      writeFileSync(file, JSON.stringify({ name: o.name, provider_id: s.connector.describe().provider_id, results }, null, 2) + '\n');
    });
    const test = (c: ContractCase, title: string, fn: () => Promise<void>) => {
      const reason = o.skip?.[c];
      if (reason) {
        results[c] = `skip: ${reason}`;
        it.skip(`${title} — skipped: ${reason}`, fn);
      } else
        it(title, async () => {
          results[c] = 'fail';
          await fn();
          results[c] = 'pass';
        });
    };

    it('describes itself consistently with the provider catalogue', () => {
      const d = s.connector.describe();
      expect(findProvider(d.provider_id), `provider ${d.provider_id} in the catalogue`).toBeDefined();
      expect(d.version).toMatch(/\S/);
      expect(typeof d.capabilities.balances).toBe('boolean');
      expect(typeof d.capabilities.transactions).toBe('boolean');
      expect(d.connection_types.length).toBeGreaterThan(0);
    });

    test('validateAccepts', 'accepts a good connection', async () => {
      await expect(s.connector.validate(s.connection, ctx)).resolves.toBeUndefined();
    });

    test('validateRejectsBadCredentials', 'refuses bad credentials as a permanent invalid_credentials error', async () => {
      expect(s.badConnection, 'setup must supply badConnection').toBeDefined();
      const err = await s.connector.validate(s.badConnection!, ctx).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentConnectorError);
      expect((err as PermanentConnectorError).cause_).toBe('invalid_credentials');
    });

    test('balances', 'reports balances as exact decimals with asset ids and symbols', async () => {
      const positions = await s.connector.fetchBalances(s.connection, ctx);
      expect(positions.length).toBeGreaterThanOrEqual(s.minPositions ?? 1);
      const seen = new Set<string>();
      for (const p of positions) {
        expect(p.asset_id).toMatch(/\S/);
        expect(p.asset_symbol).toMatch(/\S/);
        expect(isDecimalString(p.quantity), `quantity ${p.quantity}`).toBe(true);
        expect(isNegative(p.quantity)).toBe(false);
        expect(seen.has(p.asset_id), `asset ${p.asset_id} reported once`).toBe(false);
        seen.add(p.asset_id);
      }
    });

    test('transactions', 'walks the whole history into well-shaped transactions', async () => {
      const { records } = await walkHistory(s.connector, s.connection, ctx, null, o.maxPages);
      expect(records.length).toBeGreaterThanOrEqual(s.minTransactions ?? 1);
      const fingerprints = new Set<string>();
      for (const r of records) {
        expect(TRANSACTION_TYPES).toContain(r.type);
        expect(() => checkShape(r.type, r.inputs.length, r.outputs.length)).not.toThrow();
        expect(r.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(r.provider_transaction_id).toMatch(/\S/);
        expect(fingerprints.has(r.fingerprint), `fingerprint ${r.fingerprint} unique`).toBe(false);
        fingerprints.add(r.fingerprint);
        for (const m of [...r.inputs, ...r.outputs, ...r.fees]) {
          expect(m.asset_id).toMatch(/\S/);
          expect(isDecimalString(m.quantity) && isPositive(m.quantity), `quantity ${m.quantity} positive`).toBe(true);
        }
      }
    });

    test('incremental', 'continues from its cursor without returning what it already returned', async () => {
      const first = await walkHistory(s.connector, s.connection, ctx, null, o.maxPages);
      const again = await walkHistory(s.connector, s.connection, ctx, first.cursor, o.maxPages);
      const before = new Set(first.records.map((r) => r.fingerprint));
      // an overlapping window may repeat records (upserts absorb them) but never invent new ones
      for (const r of again.records) expect(before.has(r.fingerprint)).toBe(true);
    });

    test('deterministic', 'produces the same fingerprints on a replay', async () => {
      const a = await walkHistory(s.connector, s.connection, ctx, null, o.maxPages);
      const b = await walkHistory(s.connector, s.connection, ctx, null, o.maxPages);
      expect(b.records.map((r) => r.fingerprint).sort()).toEqual(a.records.map((r) => r.fingerprint).sort());
    });

    const fault = (kind: FaultKind, c: ContractCase, expectedCause: string) =>
      test(c, `turns a ${kind.replace('_', ' ')} into a retryable ${expectedCause} error`, async () => {
        expect(s.faults, 'setup must supply faults').toBeDefined();
        s.faults!.inject(kind);
        try {
          const err = await s.connector.fetchBalances(s.connection, ctx).then(() => null, (e: unknown) => e);
          expect(err).toBeInstanceOf(RetryableConnectorError);
          expect((err as RetryableConnectorError).cause_).toBe(expectedCause);
          if (kind === 'rate_limited') expect((err as RetryableConnectorError).retryAfterMs).toBeGreaterThan(0);
        } finally {
          s.faults!.clear();
        }
      });
    fault('rate_limited', 'fault_rate_limited', 'rate_limited');
    fault('server_error', 'fault_server_error', 'provider_unavailable');
    fault('malformed_json', 'fault_malformed_json', 'bad_response');
    fault('timeout', 'fault_timeout', 'provider_unavailable');
  });
}
