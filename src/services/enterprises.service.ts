/**
 * Enterprises and their OAuth clients. A new enterprise enables every non-sandbox provider; a demo
 * enterprise also the sandbox ones (SPEC §2). A client secret is shown once and stored hashed.
 */
import type { EnterprisesRepository } from '../repositories/enterprises.repository.js';
import type { AuthRepository } from '../repositories/auth.repository.js';
import type { Clock } from '../lib/clock.js';
import { isoOf } from '../lib/clock.js';
import { randomToken, uuidv7 } from '../lib/ids.js';
import { hashSecret } from '../lib/secret-hash.js';
import { defaultEnabledProviders } from '../domain/providers.js';
import { AppError } from '../domain/errors.js';
import { isFiatCurrency } from '../domain/assets.js';
import { redirectUriProblem } from '../domain/redirect-uri.js';

export interface CreatedClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

export interface CreatedEnterprise extends CreatedClient {
  enterprise_id: string;
}

export interface CreateEnterpriseOptions {
  name: string;
  demo?: boolean;
  baseCurrency?: string;
}

export class EnterprisesService {
  constructor(
    private readonly enterprises: EnterprisesRepository,
    private readonly auth: AuthRepository,
    private readonly clock: Clock,
  ) {}

  async create(o: CreateEnterpriseOptions): Promise<CreatedEnterprise> {
    const name = o.name.trim();
    if (!name || name.length > 200) throw AppError.badRequest('name', 'An enterprise name of 1 to 200 characters is required');
    const baseCurrency = (o.baseCurrency ?? 'USD').toUpperCase();
    if (!isFiatCurrency(baseCurrency)) throw AppError.badRequest('base_currency', `Unsupported base currency ${baseCurrency}`);
    const now = this.clock.now();
    const id = uuidv7(now);
    await this.enterprises.create(
      { id, name, base_currency: baseCurrency, is_demo: o.demo ?? false, created_at: isoOf(now) },
      defaultEnabledProviders(o.demo ?? false),
    );
    const client = await this.createClient(id, []);
    return { enterprise_id: id, ...client };
  }

  /** Registers one more redirect URI for an existing client (the demo's callback page); idempotent. */
  async addRedirectUri(clientId: string, uri: string): Promise<void> {
    const problem = redirectUriProblem(uri);
    if (problem) throw AppError.badRequest('redirect_uris', problem);
    if (!(await this.auth.addRedirectUri(clientId, uri))) throw AppError.notFound('Client');
  }

  async createClient(enterpriseId: string, redirectUris: string[]): Promise<CreatedClient> {
    for (const uri of redirectUris) {
      const problem = redirectUriProblem(uri);
      if (problem) throw AppError.badRequest('redirect_uris', problem);
    }
    const e = await this.enterprises.get(enterpriseId);
    if (!e) throw AppError.notFound('Enterprise');
    const now = this.clock.now();
    const clientId = `tc_${randomToken(12)}`;
    const clientSecret = `tcs_${randomToken(32)}`;
    await this.auth.createClient({
      client_id: clientId,
      enterprise_id: enterpriseId,
      name: 'default',
      secret_hash: await hashSecret(clientSecret),
      redirect_uris: redirectUris,
      created_at: isoOf(now),
      tokens_revoked_before: null,
    });
    return { client_id: clientId, client_secret: clientSecret, redirect_uris: redirectUris };
  }
}
