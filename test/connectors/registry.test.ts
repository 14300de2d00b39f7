/**
 * The connector registry answers describe() from each connector's light description module and
 * loads the implementation on first use: the description must be exactly what the loaded
 * connector declares, for every provider.
 */
import { describe, expect, it } from 'vitest';
import { connectorFor, connectorProviderIds } from '../../src/connectors/registry.js';
import { PermanentConnectorError, type Connection, type ConnectorEndpoints, type ConnectorFactory } from '../../src/connectors/connector.js';
import { sandboxCustodian, sandboxExchange, sandboxWallet } from '../../src/connectors/sandbox/index.js';
import { EXCHANGE_FACTORIES } from '../../src/connectors/exchange/index.js';
import { csvConnectorFactory } from '../../src/connectors/file-import/index.js';
import { EVM_FACTORIES } from '../../src/connectors/evm/index.js';
import { bitcoinConnectorFactory } from '../../src/connectors/bitcoin/index.js';
import { solanaConnectorFactory } from '../../src/connectors/solana/index.js';
import { PROVIDERS } from '../../src/domain/providers.js';
import { TestClock } from '../../src/lib/clock.js';

const ENDPOINTS: ConnectorEndpoints = { rpc: {}, explorer: {}, exchange: {}, esplora: null };

/** The concrete factories, imported eagerly here (the registry imports them on first use). */
const LOADED: Record<string, ConnectorFactory> = {
  'sandbox-exchange': sandboxExchange,
  'sandbox-custodian': sandboxCustodian,
  'sandbox-wallet': sandboxWallet,
  ...EXCHANGE_FACTORIES,
  csv: csvConnectorFactory,
  ...EVM_FACTORIES,
  bitcoin: bitcoinConnectorFactory(),
  solana: solanaConnectorFactory(),
};

describe('connector registry', () => {
  it('names every concrete connector, and every one is a provider of the catalogue', () => {
    expect(connectorProviderIds().sort()).toEqual(Object.keys(LOADED).sort());
    const catalogue = new Set(PROVIDERS.map((p) => p.provider_id));
    for (const id of connectorProviderIds()) expect(catalogue.has(id), id).toBe(true);
    expect(connectorFor('no-such-provider', ENDPOINTS)).toBeUndefined();
  });

  it('describes each connector, before loading it, exactly as the loaded connector does', () => {
    for (const id of connectorProviderIds()) {
      expect(connectorFor(id, ENDPOINTS)!.describe(), id).toEqual(LOADED[id]!(ENDPOINTS).describe());
    }
  });

  it('hands every call to the implementation, loaded on first use', async () => {
    const ctx = { clock: new TestClock(Date.parse('2025-01-01T00:00:00.000Z')) };
    const lazy = connectorFor('sandbox-exchange', ENDPOINTS)!;
    const loaded = LOADED['sandbox-exchange']!(ENDPOINTS);
    const good: Connection = { type: 'api_key', api_key: 'registry-30tx', secret_key: 's' };
    await expect(lazy.validate(good, ctx)).resolves.toBeUndefined();
    expect(await lazy.fetchBalances(good, ctx)).toEqual(await loaded.fetchBalances(good, ctx));
    expect(await lazy.fetchTransactions(good, null, ctx)).toEqual(await loaded.fetchTransactions(good, null, ctx));
    const bad: Connection = { ...good, secret_key: 'wrong' };
    const err = await lazy.validate(bad, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentConnectorError);
    expect(err).toEqual(await loaded.validate(bad, ctx).catch((e: unknown) => e));
  });
});
