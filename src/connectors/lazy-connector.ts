/**
 * A Connector whose implementation is imported on first use. describe() answers from the
 * connector's light description module; validate and the fetches import the implementation (and
 * the library it wraps: viem, ccxt, the Bitcoin key libraries…) the first time one of them runs, so
 * a process that only serves the API never loads them (issue #5: start-up under a second).
 */
import type { Connector, ConnectorDescription, ConnectorFactory, ConnectorEndpoints } from './connector.js';

export interface LazyConnectorSource {
  /** What the connector declares; must equal the loaded connector's describe(). */
  describe(): ConnectorDescription;
  /** Imports the implementation and returns its factory. */
  load(): Promise<ConnectorFactory>;
}

export function lazyConnector(source: LazyConnectorSource, endpoints: ConnectorEndpoints): Connector {
  let loaded: Promise<Connector> | undefined;
  const impl = (): Promise<Connector> => (loaded ??= source.load().then((factory) => factory(endpoints)));
  return {
    describe: () => source.describe(),
    validate: async (connection, ctx) => (await impl()).validate(connection, ctx),
    fetchBalances: async (connection, ctx) => (await impl()).fetchBalances(connection, ctx),
    fetchTransactions: async (connection, cursor, ctx) => (await impl()).fetchTransactions(connection, cursor, ctx),
  };
}
