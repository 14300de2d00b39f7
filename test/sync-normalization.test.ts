/**
 * Normalization done right (issue #3 item 7) through real syncs of generic-CSV accounts: transfers
 * between a user's own accounts are marked on both sides; reconciliation shows a gap when history
 * no longer explains the reported balance; credentials never reach the database in clear, the logs
 * or the API.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { forEachDialect, type TestEnv } from './support/harness.js';
import { seedUser } from './support/seed.js';
import { matchInternalTransfers } from '../src/sync/internal-transfers.js';
import { impliedBalances, reconcile } from '../src/sync/reconcile.js';

const HEADER = 'id,timestamp,type,sent_asset,sent_quantity,received_asset,received_quantity,fee_asset,fee_quantity,tx_hash,description';

async function csvAccount(t: TestEnv, enterpriseId: string, userId: string, rows: string[]) {
  const content = Buffer.from([HEADER, ...rows].join('\n'));
  const a = await t.deps.services.connections.addAccount({ enterpriseId, userId, providerId: 'csv', connection: { type: 'file', file: { format: 'generic', content } } });
  const r = await t.deps.createWorker().runOne();
  expect(r?.outcome.kind).toBe('succeeded');
  return a.account_id;
}

describe('internal transfers and reconciliation (pure rules)', () => {
  it('pairs by hash first, then by asset and amount (net of fee) within the window; never within one account', () => {
    const base = { fee_same_asset: '0', tx_hash: null };
    const pairs = matchInternalTransfers([
      { ...base, transaction_id: 's1', account_id: 'A', type: 'send', timestamp: '2024-01-01T00:00:00.000Z', asset_id: 'bitcoin', quantity: '1', tx_hash: '0xabc' },
      { ...base, transaction_id: 'r1', account_id: 'B', type: 'receive', timestamp: '2024-01-01T00:10:00.000Z', asset_id: 'bitcoin', quantity: '0.9', tx_hash: '0xABC' },
      { ...base, transaction_id: 's2', account_id: 'A', type: 'send', timestamp: '2024-02-01T00:00:00.000Z', asset_id: 'ethereum', quantity: '2', fee_same_asset: '0.01' },
      { ...base, transaction_id: 'r2', account_id: 'C', type: 'receive', timestamp: '2024-02-01T01:00:00.000Z', asset_id: 'ethereum', quantity: '1.99' },
      { ...base, transaction_id: 's3', account_id: 'A', type: 'send', timestamp: '2024-03-01T00:00:00.000Z', asset_id: 'ethereum', quantity: '5' },
      { ...base, transaction_id: 'r3', account_id: 'A', type: 'receive', timestamp: '2024-03-01T00:01:00.000Z', asset_id: 'ethereum', quantity: '5' },
      { ...base, transaction_id: 's4', account_id: 'A', type: 'send', timestamp: '2024-04-01T00:00:00.000Z', asset_id: 'ethereum', quantity: '3' },
      { ...base, transaction_id: 'r4', account_id: 'B', type: 'receive', timestamp: '2024-04-02T00:00:00.000Z', asset_id: 'ethereum', quantity: '3' },
    ]);
    expect(pairs.map((p) => [p.send.transaction_id, p.receive.transaction_id])).toEqual([
      ['s1', 'r1'],
      ['s2', 'r2'],
    ]);
  });

  it('reports every asset whose history does not explain the balance, exactly', () => {
    const implied = impliedBalances([
      { asset_id: 'bitcoin', side: 'out', quantity: '1.000000000000000001' },
      { asset_id: 'bitcoin', side: 'in', quantity: '0.5' },
      { asset_id: 'bitcoin', side: 'fee', quantity: '0.000000000000000001' },
      { asset_id: 'ethereum', side: 'out', quantity: '2' },
    ]);
    expect(Object.fromEntries(implied)).toEqual({ bitcoin: '0.5', ethereum: '2' });
    const r = reconcile(implied, new Map([['bitcoin', '0.5'], ['ethereum', '2.1'], ['solana', '3']]), '2024-01-01T00:00:00.000Z');
    expect(r).toEqual({
      checked_at: '2024-01-01T00:00:00.000Z',
      balanced: false,
      gaps: [
        { asset_id: 'ethereum', reported: '2.1', implied: '2', gap: '0.1' },
        { asset_id: 'solana', reported: '3', implied: '0', gap: '3' },
      ],
    });
  });
});

describe('normalization through syncs', () => {
  forEachDialect((env) => {
    it('marks a transfer between two of a user\'s accounts on both sides', async () => {
      const t = env();
      const e = await t.newEnterprise('Transfers', { demo: true });
      const userId = await seedUser(t.deps, e.enterpriseId);
      const hash = '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b';
      const a = await csvAccount(t, e.enterpriseId, userId, [
        'a-1,2024-01-02T00:00:00Z,receive,,,BTC,1,,,,deposit',
        `a-2,2024-01-05T10:00:00Z,send,BTC,0.4,,,BTC,0.0001,${hash},to my other account`,
        'a-3,2024-02-05T10:00:00Z,send,BTC,0.1,,,,,,to a friend',
      ]);
      const b = await csvAccount(t, e.enterpriseId, userId, [`b-1,2024-01-05T10:20:00Z,receive,,,BTC,0.4,,,${hash},from my exchange`]);
      const res = await t.call(e.token, { method: 'GET', url: `/enterprise/v2/users/${userId}/transactions?limit=100` });
      const txs = res.json().data.transactions as { provider_transaction_id: string; account_id: string; categorization: { is_internal_transfer: boolean; counterparty_account_id: string | null } }[];
      const by = (id: string) => txs.find((x) => x.provider_transaction_id === id)!.categorization;
      expect(by('a-2')).toEqual({ category: 'transfer', is_internal_transfer: true, counterparty_account_id: b });
      expect(by('b-1')).toEqual({ category: 'transfer', is_internal_transfer: true, counterparty_account_id: a });
      expect(by('a-3').is_internal_transfer).toBe(false);
      expect(by('a-1').is_internal_transfer).toBe(false);
      // the user removes the receiving account: the send is no longer an internal transfer
      await t.deps.services.platformAccounts.remove(e.enterpriseId, userId, { account_ids: [b] });
      const after = await t.call(e.token, { method: 'GET', url: `/enterprise/v2/users/${userId}/transactions?limit=100` });
      const a2 = (after.json().data.transactions as { provider_transaction_id: string; categorization: unknown }[]).find((x) => x.provider_transaction_id === 'a-2')!;
      expect(a2.categorization).toEqual({ category: 'transfer', is_internal_transfer: false, counterparty_account_id: null });
    });

    it('shows a reconciliation gap when the history no longer explains the balance', async () => {
      const t = env();
      const e = await t.newEnterprise('Gaps', { demo: true });
      const userId = await seedUser(t.deps, e.enterpriseId);
      const id = await csvAccount(t, e.enterpriseId, userId, ['g-1,2024-01-02T00:00:00Z,receive,,,ETH,2,,,,', 'g-2,2024-01-03T00:00:00Z,receive,,,ETH,0.000000000000000001,,,,']);
      let acc = await t.deps.repos.accounts.getById(e.enterpriseId, id);
      expect([acc?.status, acc?.status_cause]).toEqual(['active', null]);
      // history that the source does not report (kept: an incremental sync does not remove records)
      await t.deps.ctx.db.transaction().execute((trx) =>
        t.deps.repos.ledger.upsertTransactions(trx, { enterpriseId: e.enterpriseId, userId, accountId: id, providerId: 'csv' }, [{ fingerprint: 'phantom', timestamp: '2024-01-04T00:00:00.000Z', type: 'receive', status: 'confirmed', inputs: [], outputs: [{ asset_id: 'ethereum', asset_symbol: 'ETH', quantity: '0.5', value: null }], fees: [], value_currency: 'USD', provider_transaction_id: 'phantom' }], '2024-01-04T00:00:00.000Z', () => '018cd2a0-0000-7000-8000-000000000001'),
      );
      const { job_id } = await t.deps.services.connections.requestSync(e.enterpriseId, id);
      await t.deps.createWorker().runOne(job_id);
      acc = await t.deps.repos.accounts.getById(e.enterpriseId, id);
      expect([acc?.status, acc?.status_cause]).toEqual(['active', 'reconciliation_gap']);
      expect(JSON.parse(acc!.reconciliation!).gaps).toEqual([{ asset_id: 'ethereum', reported: '2.000000000000000001', implied: '2.500000000000000001', gap: '-0.5' }]);
      const listed = await t.call(e.token, { method: 'GET', url: `/enterprise/v2/accounts/all?user_ids=${userId}` });
      expect(listed.json().data.accounts[0]).toMatchObject({ account_id: id, status: 'active', status_cause: 'reconciliation_gap' });
    });

    it('never lets a credential reach the database in clear, the logs or the API', async () => {
      const t = env();
      const lines: string[] = [];
      const e = await t.newEnterprise('Secrets', { demo: true });
      const userId = await seedUser(t.deps, e.enterpriseId);
      const apiKey = 'AKIAzqxv-SECRET-apikey-7731-1000tx';
      const secret = 'shh-SECRET-secretkey-91823';
      const a = await t.deps.services.connections.addAccount({ enterpriseId: e.enterpriseId, userId, providerId: 'sandbox-exchange', connection: { type: 'api_key', api_key: apiKey, secret_key: secret, passphrase: 'SECRET-pass-55' } });
      const worker = t.deps.createWorker({ log: (m, d) => lines.push(JSON.stringify({ m, ...d })) });
      expect((await worker.runOne())?.outcome.kind).toBe('succeeded');
      const refused = await t.deps.services.connections
        .addAccount({ enterpriseId: e.enterpriseId, userId, providerId: 'sandbox-exchange', connection: { type: 'api_key', api_key: 'SECRET-other-key', secret_key: 'wrong' } })
        .catch((err: Error) => err.message);
      lines.push(String(refused));
      const outputs = [
        (await t.call(e.token, { method: 'GET', url: `/enterprise/v2/users/${userId}` })).body,
        (await t.call(e.token, { method: 'GET', url: '/enterprise/v2/accounts/all' })).body,
        (await t.call(e.token, { method: 'GET', url: `/enterprise/v2/users/${userId}/transactions?limit=100` })).body,
      ];
      // every text column of every table
      const tables = ['accounts', 'transactions', 'asset_positions', 'sync_jobs', 'users', 'consents'] as const;
      const dump: string[] = [];
      for (const table of tables) {
        const rows = await t.deps.ctx.db.selectFrom(table).selectAll().execute();
        dump.push(JSON.stringify(rows));
      }
      if (t.dialect === 'sqlite') {
        await sql`pragma wal_checkpoint(TRUNCATE)`.execute(t.deps.ctx.db);
        for (const f of readdirSync(t.dataDir)) dump.push(readFileSync(join(t.dataDir, f)).toString('latin1'));
      }
      for (const needle of ['SECRET', 'AKIAzqxv', 'shh-']) {
        for (const text of [...lines, ...outputs, ...dump]) expect(text.includes(needle), `"${needle}" leaked`).toBe(false);
      }
      const stored = await t.deps.repos.accounts.getById(e.enterpriseId, a.account_id);
      expect(stored?.credentials_enc).toMatch(/^v1\./);
    });
  });
});
