/**
 * The sandbox connector (SPEC §10): deterministic synthetic accounts shaped like real ones, for the
 * demo, development, Connect and load tests. History pages of `pageSize` records.
 */
import type { PositionRecord } from '../../domain/records.js';
import type { SandboxProviderId } from '../../sandbox/sandbox-assets.js';
import type { Connection, Connector, ConnectorCursor, ConnectorDescription, TransactionsPage } from '../connector.js';
import { SandboxClient } from './sandbox.client.js';
import { toSourceTransaction } from './sandbox.mapper.js';
import type { SandboxCursor } from './sandbox.types.js';
import { SANDBOX_VERSION, describeSandbox } from './sandbox.description.js';

export { SANDBOX_VERSION };

export class SandboxConnector implements Connector {
  private readonly client: SandboxClient;

  constructor(
    private readonly providerId: SandboxProviderId,
    private readonly pageSize = 500,
  ) {
    this.client = new SandboxClient(providerId);
  }

  describe(): ConnectorDescription {
    return describeSandbox(this.providerId);
  }

  async validate(c: Connection): Promise<void> {
    this.client.checkCredentials(c);
  }

  async fetchBalances(c: Connection): Promise<PositionRecord[]> {
    this.client.check(c);
    return this.client.history(c).positions.map((p) => ({ ...p, raw: { sandbox: true, asset_id: p.asset_id, quantity: p.quantity }, connector_version: SANDBOX_VERSION }));
  }

  async fetchTransactions(c: Connection, cursor: ConnectorCursor | null): Promise<TransactionsPage> {
    this.client.check(c);
    const all = this.client.history(c).transactions;
    const from = typeof (cursor as SandboxCursor | null)?.next === 'number' ? (cursor as unknown as SandboxCursor).next : 0;
    const to = Math.min(all.length, from + this.pageSize);
    const next: SandboxCursor = { next: to };
    return { records: all.slice(from, to).map(toSourceTransaction), cursor: { ...next }, done: to >= all.length };
  }
}
