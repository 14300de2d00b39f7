/**
 * End-user grants (SPEC §4): authorization codes and refresh tokens, stored only as a SHA-256 of
 * their value (both are 256-bit random strings, so a fast hash cannot be brute-forced). Single use
 * is enforced by a conditional UPDATE, so two concurrent redemptions cannot both succeed.
 */
import type { Selectable } from 'kysely';
import type { OauthCodesTable, RefreshTokensTable } from '../db/schema.js';
import type { DbContext } from './db-context.js';

export type CodeRow = Selectable<OauthCodesTable>;
export type RefreshTokenRow = Selectable<RefreshTokensTable>;

export class GrantsRepository {
  constructor(private readonly ctx: DbContext) {}

  async insertCode(row: CodeRow): Promise<void> {
    await this.ctx.db.insertInto('oauth_codes').values(row).execute();
  }

  async getCode(codeHash: string): Promise<CodeRow | undefined> {
    return this.ctx.db.selectFrom('oauth_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
  }

  /**
   * Marks a code used, with the refresh-token family its tokens will belong to (revoked if the code
   * is replayed); false when it already was used (a replay, or a concurrent redemption).
   */
  async useCode(codeHash: string, nowIso: string, familyId: string): Promise<boolean> {
    const r = await this.ctx.db
      .updateTable('oauth_codes')
      .set({ used_at: nowIso, family_id: familyId })
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async insertRefreshToken(row: RefreshTokenRow): Promise<void> {
    await this.ctx.db.insertInto('refresh_tokens').values(row).execute();
  }

  async getRefreshToken(tokenHash: string): Promise<RefreshTokenRow | undefined> {
    return this.ctx.db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  /** Marks a live refresh token used; false when it was already used or revoked. */
  async useRefreshToken(tokenHash: string, nowIso: string): Promise<boolean> {
    const r = await this.ctx.db
      .updateTable('refresh_tokens')
      .set({ used_at: nowIso })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Revokes every refresh token of a family and every access token issued with one of them (into
   * `revoked_tokens`, the list each request consults), in one transaction. Returns the access
   * tokens' ids and expiries, so the caller can update its in-memory revocation cache at once.
   */
  async revokeFamily(familyId: string, nowIso: string): Promise<{ jti: string; expiresAt: string }[]> {
    return this.ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('refresh_tokens').set({ revoked_at: nowIso }).where('family_id', '=', familyId).where('revoked_at', 'is', null).execute();
      const rows = await trx
        .selectFrom('refresh_tokens')
        .select(['access_jti', 'access_expires_at'])
        .where('family_id', '=', familyId)
        .where('access_expires_at', '>', nowIso)
        .execute();
      for (const r of rows) {
        await trx
          .insertInto('revoked_tokens')
          .values({ jti: r.access_jti, revoked_at: nowIso, expires_at: r.access_expires_at })
          .onConflict((oc) => oc.column('jti').doNothing())
          .execute();
      }
      return rows.map((r) => ({ jti: r.access_jti, expiresAt: r.access_expires_at }));
    });
  }
}
