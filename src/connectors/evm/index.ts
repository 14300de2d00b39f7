/**
 * EVM connector factories, one per chain of evm.chains.ts. Endpoints: `TORTIE_RPC_<ID>` (balances,
 * node-scan history) and optionally `TORTIE_EXPLORER_<ID>` (Etherscan-compatible history).
 */
import type { ConnectorFactory } from '../connector.js';
import { EvmConnector, type EvmConnectorOptions } from './evm.connector.js';
import { EVM_CHAINS } from './evm.chains.js';

export { EVM_CHAINS };

/** A factory for one chain; `overrides` tune paging and timeouts (tests use short ones). */
export function evmConnectorFactory(providerId: string, overrides: Partial<Omit<EvmConnectorOptions, 'chain'>> = {}): ConnectorFactory {
  const chain = EVM_CHAINS[providerId];
  if (!chain) throw new Error(`no EVM chain ${providerId}`);
  return (endpoints) =>
    new EvmConnector({
      chain,
      rpcUrl: endpoints.rpc[providerId] ?? null,
      explorerUrl: endpoints.explorer[providerId] ?? null,
      ...(endpoints.tokens?.[providerId] ? { tokens: endpoints.tokens[providerId] } : {}),
      ...overrides,
    });
}

/** Provider id → factory for every supported EVM chain (registered in ../registry.ts). */
export const EVM_FACTORIES: Record<string, ConnectorFactory> = Object.fromEntries(Object.keys(EVM_CHAINS).map((id) => [id, evmConnectorFactory(id)]));
