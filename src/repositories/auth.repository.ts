/**
 * OAuth clients, signing keys and token revocations. Client secrets are only ever stored as a slow
 * hash; private signing keys only sealed by the crypto envelope.
 */
import type { DbContext } from './db-context.js';

export interface ClientRow {
  client_id: string;
  enterprise_id: string;
  name: string;
  secret_hash: string;
  redirect_uris: string[];
  created_at: string;
  tokens_revoked_before: string | null;
}

export interface SigningKeyRow {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk_enc: string;
  created_at: string;
  retired_at: string | null;
}

export class AuthRepository {
  constructor(private readonly ctx: DbContext) {}

  async createClient(c: ClientRow): Promise<void> {
    await this.ctx.db
      .insertInto('oauth_clients')
      .values({ ...c, redirect_uris: JSON.stringify(c.redirect_uris) })
      .execute();
  }

  async getClient(clientId: string): Promise<ClientRow | undefined> {
    const r = await this.ctx.db.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    return r && { ...r, redirect_uris: JSON.parse(r.redirect_uris) as string[] };
  }

  /** Registers one more redirect URI for a client; false when the client does not exist. */
  async addRedirectUri(clientId: string, uri: string): Promise<boolean> {
    return this.ctx.db.transaction().execute(async (trx) => {
      const r = await trx.selectFrom('oauth_clients').select('redirect_uris').where('client_id', '=', clientId).executeTakeFirst();
      if (!r) return false;
      const uris = JSON.parse(r.redirect_uris) as string[];
      if (!uris.includes(uri)) await trx.updateTable('oauth_clients').set({ redirect_uris: JSON.stringify([...uris, uri]) }).where('client_id', '=', clientId).execute();
      return true;
    });
  }

  async revokeClientTokensBefore(clientId: string, iso: string): Promise<void> {
    await this.ctx.db.updateTable('oauth_clients').set({ tokens_revoked_before: iso }).where('client_id', '=', clientId).execute();
  }

  async insertSigningKey(k: SigningKeyRow, retireOthersAt: string | null): Promise<void> {
    await this.ctx.db.transaction().execute(async (trx) => {
      if (retireOthersAt) await trx.updateTable('signing_keys').set({ retired_at: retireOthersAt }).where('retired_at', 'is', null).execute();
      await trx.insertInto('signing_keys').values(k).execute();
    });
  }

  /** Keys that sign (retired_at null) or still verify (retired after `since`). Newest first. */
  async signingKeys(since: string): Promise<SigningKeyRow[]> {
    return this.ctx.db
      .selectFrom('signing_keys')
      .selectAll()
      .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', since)]))
      .orderBy('created_at', 'desc')
      .orderBy('kid', 'desc')
      .execute();
  }

  async revokeToken(jti: string, revokedAt: string, expiresAt: string): Promise<void> {
    await this.ctx.db
      .insertInto('revoked_tokens')
      .values({ jti, revoked_at: revokedAt, expires_at: expiresAt })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
  }

  /**
   * Revocations recorded at or after `since` whose token has not expired at `liveAt` (for the
   * in-memory revocation cache: an expired token is refused anyway, so its row need not be held).
   */
  async revocationsSince(since: string, liveAt: string): Promise<{ jti: string; revoked_at: string; expires_at: string }[]> {
    return this.ctx.db
      .selectFrom('revoked_tokens')
      .select(['jti', 'revoked_at', 'expires_at'])
      .where('revoked_at', '>=', since)
      .where('expires_at', '>', liveAt)
      .execute();
  }

  async userTokensRevokedBefore(userId: string): Promise<string | null> {
    const r = await this.ctx.db.selectFrom('users').select('tokens_revoked_before').where('id', '=', userId).executeTakeFirst();
    return r?.tokens_revoked_before ?? null;
  }
}
