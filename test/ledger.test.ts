/**
 * The ledger write path (what the demo and the sync engine write through) on both databases:
 * multi-chunk inserts, upserts by fingerprint that overwrite every source field and rewrite the
 * movement index, minimal decimals, and price series inserts that never overwrite.
 */
import { describe, expect, it } from 'vitest';
import { forEachDialect, type TestEnv } from './support/harness.js';
import { seedAccount, seedUser, tx } from './support/seed.js';
import type { TransactionRecord } from '../src/domain/records.js';
import { normalize } from '../src/lib/decimal.js';
import { uuidv7 } from '../src/lib/ids.js';
import { encodeLedgerRows, ledgerRows } from '../src/repositories/ledger-rows.js';

const NOW = '2026-06-15T12:00:00.000Z';

function record(i: number, over: Partial<TransactionRecord> = {}): TransactionRecord {
  return tx({
    fingerprint: `fp-${i}`,
    provider_transaction_id: `ptx-${i}`,
    type: 'trade',
    timestamp: new Date(Date.parse('2025-01-01T00:00:00.000Z') + i * 60_000).toISOString(),
    inputs: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '0.10000', value: '6000.50' }],
    outputs: [{ asset_id: 'ethereum', asset_symbol: 'ETH', quantity: `1.${i}`, value: null }],
    fees: [
      { asset_id: 'ethereum', asset_symbol: 'ETH', quantity: '0.001', value: '3.1' },
      { asset_id: 'fiat:USD', asset_symbol: 'USD', quantity: '0.5', value: '0.50' },
    ],
    ...over,
  });
}

/** Two enterprises, each with a user of two accounts (sandbox-exchange, coinbase): writes to compare. */
async function twoEnterprises(env: () => TestEnv) {
  const { deps } = env();
  return Promise.all(
    [0, 1].map(async () => {
      const e = await env().newEnterprise();
      const userId = await seedUser(deps, e.enterpriseId);
      const a = await seedAccount(deps, e.enterpriseId, userId);
      const b = await seedAccount(deps, e.enterpriseId, userId, { providerId: 'coinbase' });
      return { e, scopes: [{ enterpriseId: e.enterpriseId, userId, accountId: a, providerId: 'sandbox-exchange' }, { enterpriseId: e.enterpriseId, userId, accountId: b, providerId: 'coinbase' }] };
    }),
  );
}

describe('ledger repository', () => {
  forEachDialect((env) => {
    it('inserts many records across chunks, upserts by fingerprint and rewrites movements', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const userId = await seedUser(deps, e.enterpriseId);
      const accountId = await seedAccount(deps, e.enterpriseId, userId);
      const scope = { enterpriseId: e.enterpriseId, userId, accountId, providerId: 'sandbox-exchange' };
      const first = Array.from({ length: 950 }, (_, i) => record(i));
      const r1 = await deps.ctx.db.transaction().execute((trx) => deps.repos.ledger.upsertTransactions(trx, scope, first, NOW, (r) => uuidv7(Date.parse(r.timestamp))));
      expect(r1).toEqual({ added: 950, updated: 0 });
      const db = deps.ctx.db;
      const count = async (table: 'transactions' | 'transaction_movements') =>
        Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('enterprise_id', '=', e.enterpriseId).executeTakeFirstOrThrow()).n);
      expect(await count('transactions')).toBe(950);
      expect(await count('transaction_movements')).toBe(950 * 4);

      const row = await db.selectFrom('transactions').selectAll().where('account_id', '=', accountId).where('fingerprint', '=', 'fp-7').executeTakeFirstOrThrow();
      expect(JSON.parse(row.inputs)).toEqual([{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '0.1', value: { amount: '6000.5', currency: 'USD' } }]);
      expect(JSON.parse(row.outputs)).toEqual([{ asset_id: 'ethereum', asset_symbol: 'ETH', quantity: '1.7', value: null }]);
      expect(normalize(row.fee_total!)).toBe('3.6');
      expect(row.category).toBe('trade');

      // a removed record reported again comes back; changed fields are overwritten; identity stays
      await db.updateTable('transactions').set({ removed_at: NOW }).where('id', '=', row.id).execute();
      const changed = [
        record(7, { status: 'failed', description: 'changed', type: 'swap', fees: [], outputs: [{ asset_id: 'solana', asset_symbol: 'SOL', quantity: '2.50', value: '300' }] }),
        record(7, { status: 'pending', description: 'last one wins' }),
        record(2000),
      ];
      const r2 = await db.transaction().execute((trx) => deps.repos.ledger.upsertTransactions(trx, scope, changed.slice(0, 1).concat(changed.slice(2)), '2026-06-16T00:00:00.000Z', () => uuidv7(Date.now())));
      expect(r2).toEqual({ added: 1, updated: 1 });
      const after = await db.selectFrom('transactions').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
      expect([after.status, after.type, after.category, after.description, after.fee_total, after.removed_at]).toEqual(['failed', 'swap', 'trade', 'changed', null, null]);
      expect([after.created_at, after.updated_at, after.seq]).toEqual([row.created_at, '2026-06-16T00:00:00.000Z', row.seq]);
      const movements = await db.selectFrom('transaction_movements').selectAll().where('transaction_seq', '=', row.seq).execute();
      expect(movements.map((m) => [m.side, m.asset_id, normalize(m.quantity), m.value === null ? null : normalize(m.value), m.is_trade]).sort()).toEqual([
        ['in', 'bitcoin', '0.1', '6000.5', 0],
        ['out', 'solana', '2.5', '300', 0],
      ]);
      const r3 = await db.transaction().execute((trx) => deps.repos.ledger.upsertTransactions(trx, scope, changed.slice(0, 2), NOW, () => uuidv7(Date.now())));
      expect(r3).toEqual({ added: 0, updated: 1 });
      expect((await db.selectFrom('transactions').select('description').where('id', '=', row.id).executeTakeFirstOrThrow()).description).toBe('last one wins');
      expect(await count('transactions')).toBe(951);
      expect(await count('transaction_movements')).toBe(950 * 4 + 4);
    });

    it('writes several accounts in one call exactly as one call per account would', async () => {
      const { deps } = env();
      const db = deps.ctx.db;
      const ledger = deps.repos.ledger;
      // two enterprises, each with a user of two accounts: one account already has history
      const setups = await twoEnterprises(env);
      const [one, many] = setups as [(typeof setups)[number], (typeof setups)[number]];
      const stored = Array.from({ length: 30 }, (_, i) => record(i));
      const next = [...stored.slice(0, 10), record(3, { description: 'changed' }), ...Array.from({ length: 1200 }, (_, i) => record(100 + i))];
      const fresh = Array.from({ length: 900 }, (_, i) => record(5000 + i));
      for (const s of [one, many]) await db.transaction().execute((trx) => ledger.upsertTransactions(trx, s.scopes[0]!, stored, NOW, (r) => uuidv7(Date.parse(r.timestamp))));

      // one call per account, and one call for both accounts of the other enterprise
      const perAccount = await db.transaction().execute(async (trx) => {
        const x = await ledger.upsertTransactions(trx, one.scopes[0]!, next, NOW, (r) => uuidv7(Date.parse(r.timestamp)));
        const y = await ledger.upsertTransactions(trx, one.scopes[1]!, fresh, NOW, (r) => uuidv7(Date.parse(r.timestamp)));
        return { added: x.added + y.added, updated: x.updated + y.updated };
      });
      const together = await db.transaction().execute((trx) =>
        ledger.upsertTransactionsOf(trx, [{ scope: many.scopes[0]!, records: next }, { scope: many.scopes[1]!, records: fresh }], NOW, (r) => uuidv7(Date.parse(r.timestamp))),
      );
      // 10 unchanged records skipped, fp-3 updated, 1,200 + 900 added
      expect(perAccount).toEqual({ added: 2100, updated: 1 });
      expect(together).toEqual(perAccount);

      const content = async (e: string) => {
        const txs = await db.selectFrom('transactions').select(['account_id', 'fingerprint', 'description', 'inputs', 'outputs', 'fee_items', 'fee_total', 'seq']).where('enterprise_id', '=', e).execute();
        const moves = await db.selectFrom('transaction_movements').select(['transaction_seq', 'side', 'asset_id', 'quantity', 'value', 'is_trade']).where('enterprise_id', '=', e).execute();
        const bySeq = new Map(txs.map((t) => [Number(t.seq), t]));
        const accountIndex = (id: string) => (id === one.scopes[0]!.accountId || id === many.scopes[0]!.accountId ? 0 : 1);
        return {
          txs: txs.map((t) => [accountIndex(t.account_id), t.fingerprint, t.description, t.inputs, t.outputs, t.fee_items, t.fee_total === null ? null : normalize(String(t.fee_total))].join('|')).sort(),
          moves: moves.map((m) => { const t = bySeq.get(Number(m.transaction_seq))!; return [accountIndex(t.account_id), t.fingerprint, m.side, m.asset_id, normalize(String(m.quantity)), m.value === null ? null : normalize(String(m.value)), m.is_trade].join('|'); }).sort(),
        };
      };
      const a = await content(one.e.enterpriseId);
      expect(a.txs).toHaveLength(30 + 1200 + 900);
      expect(a.moves).toHaveLength((30 + 1200 + 900) * 4);
      expect(await content(many.e.enterpriseId)).toEqual(a);
      const trades = async (e: string) =>
        (await db.selectFrom('stats_trade_hours').select(['hour', 'asset_id', 'trade_count', 'volume']).where('enterprise_id', '=', e).execute()).map((h) => [h.hour, h.asset_id, Number(h.trade_count), normalize(String(h.volume))].join('|')).sort();
      expect((await trades(one.e.enterpriseId)).length).toBeGreaterThan(0);
      expect(await trades(many.e.enterpriseId)).toEqual(await trades(one.e.enterpriseId));

      await expect(db.transaction().execute((trx) => ledger.upsertTransactionsOf(trx, [{ scope: many.scopes[0]!, records: fresh }, { scope: many.scopes[0]!, records: fresh }], NOW, () => uuidv7(Date.now())))).rejects.toThrow(/listed twice/);
    });

    it('writes rows built and encoded ahead (a bulk load\'s, from a worker thread) exactly as rows the driver binds', async () => {
      const { deps } = env();
      const db = deps.ctx.db;
      const ledger = deps.repos.ledger;
      // text PostgreSQL's array syntax gives meaning to: quotes, backslashes, braces, commas, NULL, blanks
      const awkward = ['say "hi"', 'back\\slash \\" both', '{a,b}', 'NULL', '', ' spaced ', 'null', 'ünï €', 'line\nbreak\ttab'];
      const records = (offset: number) =>
        Array.from({ length: 40 }, (_, i) =>
          record(offset + i, {
            description: awkward[i % awkward.length]!,
            tx_hash: i % 3 === 0 ? null : `0x${i}"\\`,
            raw: { note: awkward[(i + 1) % awkward.length], nested: { list: [1, '2', null] } },
          }),
        );
      const setups = await twoEnterprises(env);
      const [plain, encoded] = setups as [(typeof setups)[number], (typeof setups)[number]];
      const newId = (r: TransactionRecord) => uuidv7(Date.parse(r.timestamp));
      const write = (s: (typeof setups)[number], records: TransactionRecord[][], encode: boolean) => {
        const rows = ledgerRows(s.scopes.map((scope, k) => ({ scope, records: records[k]! })), NOW, newId);
        // what crosses from the worker thread is a structured clone
        const batch = structuredClone(encode ? encodeLedgerRows(rows) : rows);
        return db.transaction().execute((trx) => ledger.upsertRows(trx, batch));
      };
      // new accounts: the encoded batch is bound as it is (PostgreSQL)
      expect(await write(plain, [records(0), records(100)], false)).toEqual({ added: 80, updated: 0 });
      expect(await write(encoded, [records(0), records(100)], true)).toEqual({ added: 80, updated: 0 });
      // accounts with stored records: the encoded text is not used, the rows are (unchanged ones skipped)
      const again = (offset: number) => records(offset).map((r, i) => (i < 5 ? { ...r, description: `changed "${i}"` } : r));
      expect(await write(plain, [again(0), records(200)], false)).toEqual({ added: 40, updated: 5 });
      expect(await write(encoded, [again(0), records(200)], true)).toEqual({ added: 40, updated: 5 });

      const content = async (s: (typeof setups)[number]) => {
        const k = (id: string) => s.scopes.findIndex((x) => x.accountId === id);
        const txs = await db.selectFrom('transactions').selectAll().where('enterprise_id', '=', s.e.enterpriseId).execute();
        const moves = await db.selectFrom('transaction_movements').select(['transaction_seq', 'side', 'asset_id', 'asset_symbol_lower', 'quantity', 'value', 'timestamp', 'is_trade']).where('enterprise_id', '=', s.e.enterpriseId).execute();
        const bySeq = new Map(txs.map((t) => [Number(t.seq), t]));
        const hours = await db.selectFrom('stats_trade_hours').select(['hour', 'asset_id', 'trade_count', 'volume']).where('enterprise_id', '=', s.e.enterpriseId).execute();
        return {
          txs: txs
            .map((t) => JSON.stringify([k(t.account_id), t.fingerprint, t.timestamp, t.type, t.status, t.category, Number(t.is_internal_transfer), t.inputs, t.outputs, t.fee_items, t.fee_total === null ? null : normalize(String(t.fee_total)), t.description, t.tx_hash, t.raw, t.removed_at, t.created_at]))
            .sort(),
          moves: moves.map((m) => JSON.stringify([bySeq.get(Number(m.transaction_seq))!.fingerprint, m.side, m.asset_id, m.asset_symbol_lower, normalize(String(m.quantity)), m.value === null ? null : normalize(String(m.value)), m.timestamp, Number(m.is_trade)])).sort(),
          hours: hours.map((h) => [h.hour, h.asset_id, Number(h.trade_count), normalize(String(h.volume))].join('|')).sort(),
        };
      };
      const a = await content(plain);
      expect(a.txs).toHaveLength(120);
      expect(a.txs.join('\n')).toContain('back\\\\slash \\\\\\\"');
      expect(a.hours.length).toBeGreaterThan(0);
      expect(await content(encoded)).toEqual(a);
    });

    it('inserts missing prices without overwriting stored ones', async () => {
      const { deps } = env();
      await deps.repos.prices.upsert([{ asset_id: 'x-asset', currency: 'USD', ts: '2026-01-01T00:00:00.000Z', price: '2', source: 'import' }]);
      const rows = Array.from({ length: 2500 }, (_, i) => ({ asset_id: 'x-asset', currency: 'USD', ts: new Date(Date.parse('2026-01-01T00:00:00.000Z') + i * 3_600_000).toISOString(), price: `1.${i}0`, source: 'synthetic' }));
      await deps.repos.prices.insertMissing(rows);
      await deps.repos.prices.insertMissing(rows);
      const stored = await deps.ctx.db.selectFrom('prices').selectAll().where('asset_id', '=', 'x-asset').orderBy('ts').execute();
      expect(stored).toHaveLength(2500);
      expect([stored[0]!.source, normalize(stored[0]!.price)]).toEqual(['import', '2']);
      expect([stored[1]!.source, normalize(stored[1]!.price)]).toEqual(['synthetic', '1.1']);
      expect(await deps.repos.prices.newestTsOf('x-asset', 'USD', 'synthetic')).toBe(rows[2499]!.ts);
    });
  });
});
