/**
 * The end-user's sources on the Platform API (SPEC §6): list, what can be added, add one or several
 * (Calico: 200 with per-provider `errors`, never all-or-nothing), and remove with their data.
 * Credentials are checked against the source and sealed by ConnectionsService.addAccount.
 */
import type { Connection } from '../connectors/connector.js';
import type { Account, PartialResult } from '../domain/api-types.js';
import { AppError, type ErrorItem } from '../domain/errors.js';
import type { AccountsRepository } from '../repositories/accounts.repository.js';
import type { AccountValuer } from './account-valuer.js';
import { accountErrors } from './api-mappers.js';
import type { ConnectionsService } from './connections.service.js';

/** A connection as the client sends it (SPEC §6); which members are allowed depends on `type`. */
export interface ConnectionInput {
  type: string;
  api_key?: string;
  secret_key?: string;
  passphrase?: string;
  address?: string;
  addresses?: string[];
  xpub?: string;
  format?: string;
  /** base64 of the file's bytes. */
  content?: string;
  seed?: string;
}

export interface AddProviderInput {
  provider_id: string;
  display_label?: string;
  connection: ConnectionInput;
}

export interface AddProvidersResult {
  data: { added: number; accounts: Account[] };
  errors: ErrorItem[];
}

const MEMBERS_BY_TYPE: Record<string, readonly string[]> = {
  api_key: ['api_key', 'secret_key', 'passphrase'],
  wallet: ['address', 'addresses', 'xpub'],
  file: ['format', 'content'],
  sandbox: ['seed'],
  oauth2: [],
};
const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

export class PlatformAccountsService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly valuer: AccountValuer,
    private readonly connections: ConnectionsService,
  ) {}

  /** The user's accounts, valued, in pagination-id order; accounts in status error listed in `errors` (206). */
  async list(enterpriseId: string, userId: string): Promise<PartialResult<{ accounts: Account[] }>> {
    const rows = await this.accounts.listForUser(enterpriseId, userId);
    return { data: { accounts: await this.valuer.accounts(enterpriseId, rows) }, errors: accountErrors(rows) };
  }

  /**
   * Adds each source independently: a failed one becomes an ErrorItem naming its `provider_id`
   * (`invalid_credentials`, `bad_request` with the field, `provider_unavailable`, `not_implemented`)
   * and the others are still added. `fieldPrefix` is `providers[i].` for the batch form.
   */
  async add(enterpriseId: string, userId: string, items: readonly AddProviderInput[], batch: boolean): Promise<AddProvidersResult> {
    const accounts: Account[] = [];
    const errors: ErrorItem[] = [];
    for (const [i, item] of items.entries()) {
      const prefix = batch ? `providers[${i}].` : '';
      try {
        const connection = toConnection(item.connection, `${prefix}connection`, item.provider_id);
        accounts.push(await this.connections.addAccount({ enterpriseId, userId, providerId: item.provider_id, connection, displayLabel: item.display_label ?? null }));
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        for (const it of e.items) {
          const field = it.field === undefined ? undefined : it.field.startsWith(prefix) || !prefix ? it.field : `${prefix}${it.field}`;
          errors.push({ ...it, provider_id: item.provider_id, ...(field === undefined ? {} : { field }) });
        }
      }
    }
    return { data: { added: accounts.length, accounts }, errors };
  }

  /**
   * Removes the user's accounts named by id or by provider, with their data and credentials. An
   * account id that is not one of the user's is a 404 (whoever's it is: existence is not revealed).
   */
  async remove(enterpriseId: string, userId: string, r: { account_ids?: string[]; provider_ids?: string[] }): Promise<{ removed: string[] }> {
    const accountIds = [...new Set((r.account_ids ?? []).map((id) => id.toLowerCase()))];
    const providerIds = [...new Set(r.provider_ids ?? [])];
    if (!accountIds.length && !providerIds.length) throw AppError.badRequest('account_ids', 'Name the accounts to remove: "account_ids", "provider_ids", or both');
    const own = await this.accounts.listForUser(enterpriseId, userId);
    const ownIds = new Set(own.map((a) => a.id));
    const missing = accountIds.find((id) => !ownIds.has(id));
    if (missing !== undefined) throw new AppError('not_found', `Account ${missing} not found`, { account_id: missing, field: 'account_ids' });
    const chosen = own.filter((a) => accountIds.includes(a.id) || providerIds.includes(a.provider_id)).map((a) => a.id);
    return { removed: await this.accounts.removeForUser(enterpriseId, userId, chosen) };
  }
}

/** The client's connection → the connector's `Connection`, or a 400 naming the bad member. */
function toConnection(c: ConnectionInput, field: string, providerId: string): Connection {
  const allowed = MEMBERS_BY_TYPE[c.type];
  if (!allowed) throw AppError.badRequest(`${field}.type`, `"type" is one of ${Object.keys(MEMBERS_BY_TYPE).join(', ')}`);
  const extra = Object.keys(c).find((k) => k !== 'type' && !allowed.includes(k));
  if (extra !== undefined) throw AppError.badRequest(`${field}.${extra}`, `"${extra}" is not a member of a ${c.type} connection`);
  const need = (name: keyof ConnectionInput): string => {
    const v = c[name];
    if (typeof v !== 'string' || v === '') throw AppError.badRequest(`${field}.${name}`, `"${name}" is required for a ${c.type} connection`);
    return v;
  };
  switch (c.type) {
    case 'api_key':
      return { type: 'api_key', api_key: need('api_key'), secret_key: need('secret_key'), ...(c.passphrase ? { passphrase: c.passphrase } : {}) };
    case 'wallet': {
      const given = (['address', 'addresses', 'xpub'] as const).filter((k) => c[k] !== undefined);
      if (given.length !== 1) throw AppError.badRequest(`${field}.address`, 'Give exactly one of "address", "addresses" or "xpub"');
      if (c.xpub !== undefined) return { type: 'wallet', xpub: need('xpub') };
      const addresses = c.address !== undefined ? [need('address')] : (c.addresses ?? []);
      if (!addresses.length) throw AppError.badRequest(`${field}.addresses`, '"addresses" must not be empty');
      return { type: 'wallet', addresses: [...new Set(addresses)] };
    }
    case 'file': {
      const content = need('content');
      if (!BASE64_RE.test(content)) throw AppError.badRequest(`${field}.content`, '"content" must be the file\'s bytes in base64');
      return { type: 'file', file: { format: c.format || 'auto', content: Buffer.from(content, content.includes('-') || content.includes('_') ? 'base64url' : 'base64') } };
    }
    case 'sandbox':
      return { type: 'sandbox', seed: c.seed || 'sandbox' };
    default:
      // exchange OAuth needs each exchange's live consent page and app registration: not offered yet
      throw new AppError('not_implemented', `Connecting ${providerId} through the exchange's OAuth is not available yet; use an API key`, { provider_id: providerId });
  }
}
