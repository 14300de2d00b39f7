/**
 * Enterprise providers (SPEC §5.13–14): the catalogue, the enabled set (read and replace), each
 * provider's status, and the bad inputs of PUT.
 */
import { connectorFor } from '../src/connectors/registry.js';
import { describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { forEachDialect, type TestEnv } from './support/harness.js';
import { PROVIDERS } from '../src/domain/providers.js';

const BASE = '/enterprise/v2';
/** ProviderMetadata's fields, in wire order (SPEC §8). */
const FIELDS = ['provider_id', 'name', 'type', 'connection_types', 'networks', 'logo_url', 'status', 'capabilities', 'credential_fields'];

/** Expected metadata: the catalogue, with connection types and capabilities as each connector declares them. */
function metadata(ids: readonly string[], statuses: Record<string, string> = {}) {
  return PROVIDERS.filter((p) => ids.includes(p.provider_id)).map((p) => {
    const d = connectorFor(p.provider_id, { rpc: {}, explorer: {}, exchange: {}, esplora: null })?.describe();
    return {
      ...p,
      connection_types: d?.connection_types ?? p.connection_types,
      capabilities: d ? { balances: d.capabilities.balances, transactions: d.capabilities.transactions, as_of: d.capabilities.as_of } : { balances: false, transactions: false, as_of: false },
      status: statuses[p.provider_id] ?? 'operational',
    };
  });
}

function put(t: TestEnv, token: string, payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<LightMyRequestResponse> {
  return t.call(token, { method: 'PUT', url: `${BASE}/providers`, headers, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
}

function expectError(res: LightMyRequestResponse, status: number, cause: string, field: string): void {
  expect(res.statusCode).toBe(status);
  expect(res.json()).toEqual({ errors: [{ cause, message: expect.any(String), field }] });
}

describe('GET/PUT /enterprise/v2/providers, GET /providers/all', () => {
  forEachDialect((env) => {
    it('lists every supported provider with its status, operational by default', async () => {
      const t = env();
      const e = await t.newEnterprise('Plain', { demo: false });
      await t.deps.ctx.db.deleteFrom('provider_status').execute();
      await t.deps.ctx.db
        .insertInto('provider_status')
        .values([
          { provider_id: 'kraken', status: 'degraded', updated_at: '2026-06-15T11:00:00.000Z' },
          { provider_id: 'solana', status: 'down', updated_at: '2026-06-15T11:00:00.000Z' },
        ])
        .execute();
      try {
      const res = await t.call(e.token, { method: 'GET', url: `${BASE}/providers/all` });
      expect(res.statusCode).toBe(200);
      const statuses = { kraken: 'degraded', solana: 'down' };
      expect(res.json()).toEqual({ data: { providers: metadata(PROVIDERS.map((p) => p.provider_id), statuses) } });
      for (const p of res.json().data.providers) expect(Object.keys(p)).toEqual(FIELDS);
      expect(res.json().data.providers).toHaveLength(PROVIDERS.length);

      // the enabled list carries the same statuses
      const mine = await t.call(e.token, { method: 'GET', url: `${BASE}/providers` });
      const kraken = mine.json().data.providers.find((p: { provider_id: string }) => p.provider_id === 'kraken');
      expect(kraken.status).toBe('degraded');
      } finally {
        // the table is deployment-wide: leave it as the other tests expect it
        await t.deps.ctx.db.deleteFrom('provider_status').execute();
      }
    });

    it('enables every non-sandbox provider for a new enterprise, and the sandbox ones too for a demo', async () => {
      const t = env();
      const plain = await t.newEnterprise('Plain', { demo: false });
      const demo = await t.newEnterprise('Demo', { demo: true });
      const a = await t.call(plain.token, { method: 'GET', url: `${BASE}/providers` });
      expect(a.statusCode).toBe(200);
      expect(a.json()).toEqual({ data: { providers: metadata(PROVIDERS.filter((p) => p.type !== 'sandbox').map((p) => p.provider_id)) } });
      const b = await t.call(demo.token, { method: 'GET', url: `${BASE}/providers` });
      expect(b.json()).toEqual({ data: { providers: metadata(PROVIDERS.map((p) => p.provider_id)) } });
      // what connectors really do, not what the catalogue hopes: KuCoin's history is too short for as_of
      const byId = new Map((b.json().data.providers as { provider_id: string; capabilities: unknown; connection_types: string[] }[]).map((p) => [p.provider_id, p]));
      expect(byId.get('kucoin')?.capabilities).toEqual({ balances: true, transactions: true, as_of: false });
      expect(byId.get('coinbase')?.connection_types).toEqual(['api_key']);
      expect(byId.get('sandbox-wallet')?.capabilities).toEqual({ balances: true, transactions: true, as_of: true });
    });

    it('replaces the enabled set, returns it in catalogue order, and touches no other enterprise', async () => {
      const t = env();
      const e = await t.newEnterprise('Mine', { demo: false });
      const other = await t.newEnterprise('Other', { demo: false });
      const before = (await t.call(other.token, { method: 'GET', url: `${BASE}/providers` })).json();

      const res = await put(t, e.token, { provider_ids: ['kraken', 'ethereum', 'coinbase', 'kraken'] });
      expect(res.statusCode).toBe(200);
      const expected = { data: { providers: metadata(['coinbase', 'kraken', 'ethereum']) } };
      expect(res.json()).toEqual(expected);
      expect(res.json().data.providers.map((p: { provider_id: string }) => p.provider_id)).toEqual(['coinbase', 'kraken', 'ethereum']);
      expect((await t.call(e.token, { method: 'GET', url: `${BASE}/providers` })).json()).toEqual(expected);
      expect((await t.call(other.token, { method: 'GET', url: `${BASE}/providers` })).json()).toEqual(before);
      // every provider stays listed as supported
      expect((await t.call(e.token, { method: 'GET', url: `${BASE}/providers/all` })).json().data.providers).toHaveLength(PROVIDERS.length);

      const none = await put(t, e.token, { provider_ids: [] });
      expect(none.json()).toEqual({ data: { providers: [] } });
      expect((await t.call(e.token, { method: 'GET', url: `${BASE}/providers` })).json()).toEqual({ data: { providers: [] } });
    });

    it('enables sandbox providers for a demo enterprise only', async () => {
      const t = env();
      const plain = await t.newEnterprise('Plain', { demo: false });
      const demo = await t.newEnterprise('Demo', { demo: true });
      const refused = await put(t, plain.token, { provider_ids: ['kraken', 'sandbox-wallet'] });
      expectError(refused, 400, 'bad_request', 'provider_ids');
      expect(refused.json().errors[0].message).toContain('sandbox-wallet');
      const ok = await put(t, demo.token, { provider_ids: ['sandbox-wallet', 'kraken'] });
      expect(ok.json()).toEqual({ data: { providers: metadata(['kraken', 'sandbox-wallet']) } });
    });

    it('refuses bad bodies with an ErrorItem naming the field, leaving the enabled set as it was', async () => {
      const t = env();
      const e = await t.newEnterprise('Mine', { demo: false });
      await put(t, e.token, { provider_ids: ['kraken'] });

      const unknown = await put(t, e.token, { provider_ids: ['kraken', 'nope', 'Coinbase'] });
      expectError(unknown, 400, 'bad_request', 'provider_ids');
      expect(unknown.json().errors[0].message).toContain('"nope"');
      expect(unknown.json().errors[0].message).toContain('"Coinbase"');

      const extra = await put(t, e.token, { provider_ids: ['kraken'], enabled: true });
      expectError(extra, 400, 'bad_request', 'enabled');
      expectError(await put(t, e.token, {}), 400, 'bad_request', 'provider_ids');
      expectError(await put(t, e.token, { provider_ids: 'kraken' }), 400, 'bad_request', 'provider_ids');
      expectError(await put(t, e.token, { provider_ids: [1] }), 400, 'bad_request', 'provider_ids');
      expectError(await put(t, e.token, '{"provider_ids": ['), 400, 'bad_request', 'body');
      expectError(await put(t, e.token, 'provider_ids=kraken', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type', 'body');
      expectError(await put(t, e.token, 'kraken', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type', 'body');

      expect((await t.call(e.token, { method: 'GET', url: `${BASE}/providers` })).json()).toEqual({ data: { providers: metadata(['kraken']) } });
    });

    it('needs an enterprise token', async () => {
      const t = env();
      for (const [method, url] of [['GET', '/providers'], ['PUT', '/providers'], ['GET', '/providers/all']] as const) {
        const res = await t.call(null, { method, url: `${BASE}${url}` });
        expect(res.statusCode).toBe(401);
        expect(res.json().errors[0].cause).toBe('unauthorized');
      }
      const e = await t.newEnterprise();
      const res = await t.call(e.token, { method: 'DELETE', url: `${BASE}/providers` });
      expect(res.statusCode).toBe(405);
    });
  });
});
