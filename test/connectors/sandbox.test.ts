/** The sandbox connectors through the shared contract suite; faults come from the sandbox's magic seeds. */
import { runConnectorContract } from './contract.js';
import { SandboxConnector } from '../../src/connectors/sandbox/sandbox.connector.js';
import type { Connection } from '../../src/connectors/connector.js';

for (const provider of ['sandbox-exchange', 'sandbox-custodian', 'sandbox-wallet'] as const) {
  runConnectorContract({
    name: provider,
    async setup() {
      const good = 'contract-1200tx';
      const connection: Connection = provider === 'sandbox-wallet' ? { type: 'wallet', addresses: ['0x52908400098527886E0F7030069857D2E4169EE7'], seed: good } : { type: 'api_key', api_key: good, secret_key: 's' };
      return {
        connector: new SandboxConnector(provider, 250),
        connection,
        badConnection: { ...connection, secret_key: 'wrong', seed: 'invalid-seed' },
        minTransactions: 1200,
        faults: {
          inject(kind) {
            connection.seed = kind === 'rate_limited' ? 'contract-ratelimited' : 'contract-unavailable';
          },
          clear() {
            connection.seed = provider === 'sandbox-wallet' ? good : undefined;
          },
        },
      };
    },
    skip: {
      fault_malformed_json: 'the sandbox has no wire format to corrupt',
      fault_timeout: 'the sandbox answers in memory; it cannot hang',
    },
  });
}
