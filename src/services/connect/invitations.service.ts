/**
 * Invitations (SPEC §5.15): an enterprise invites a person by e-mail; the link opens Connect with
 * that e-mail already verified. The invited person becomes a User only when they consent.
 * Inviting the same e-mail again replaces the open invitation. The link's token is shown once
 * (in `connect_url`) and stored only as a SHA-256.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../domain/errors.js';
import type { Clock } from '../../lib/clock.js';
import { isoOf } from '../../lib/clock.js';
import type { CursorCodec } from '../../lib/cursor-codec.js';
import { randomToken, uuidv7 } from '../../lib/ids.js';
import type { AuthRepository } from '../../repositories/auth.repository.js';
import type { InvitationRow, InvitationsRepository } from '../../repositories/invitations.repository.js';
import { decodeCursor, seqPosition, toPage, type Page, type PageRequest } from '../pagination.js';

export const DEFAULT_INVITATION_TTL_S = 7 * 86_400;
export const MAX_INVITATION_TTL_S = 90 * 86_400;
export const INVITATION_STATUSES = ['pending', 'accepted', 'expired', 'cancelled'] as const;

export interface InviteRequest {
  email: string;
  full_name?: string;
  client_id: string;
  redirect_uri: string;
  /** Seconds; default 7 days. */
  expires_in?: number;
}

export interface CreatedInvitation {
  invitation_id: string;
  email: string;
  connect_url: string;
  expires_at: string;
}

export interface Invitation {
  invitation_id: string;
  email: string;
  full_name: string | null;
  client_id: string;
  redirect_uri: string;
  status: (typeof INVITATION_STATUSES)[number];
  created_at: string;
  expires_at: string;
  /** The user the invitation became, once accepted. */
  user_id: string | null;
}

const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

export class InvitationsService {
  constructor(
    private readonly invitations: InvitationsRepository,
    private readonly auth: AuthRepository,
    private readonly cursors: CursorCodec,
    private readonly clock: Clock,
    private readonly baseUrl: string,
  ) {}

  async invite(enterpriseId: string, r: InviteRequest): Promise<CreatedInvitation> {
    const email = r.email.trim();
    if (!EMAIL_RE.test(email) || email.length > 254) throw AppError.badRequest('email', 'email must be an e-mail address');
    const fullName = r.full_name?.trim().replace(/\s+/g, ' ') || null;
    if (fullName && fullName.length > 200) throw AppError.badRequest('full_name', 'full_name is at most 200 characters');
    const client = await this.auth.getClient(r.client_id);
    // another enterprise's client is as unknown as a client that does not exist
    if (!client || client.enterprise_id !== enterpriseId) throw AppError.badRequest('client_id', 'Unknown client_id');
    if (!client.redirect_uris.includes(r.redirect_uri)) throw AppError.badRequest('redirect_uri', 'redirect_uri is not registered for this client (register it with: tortie client create --redirect-uri URI)');
    const ttl = r.expires_in ?? DEFAULT_INVITATION_TTL_S;
    if (!Number.isInteger(ttl) || ttl < 60 || ttl > MAX_INVITATION_TTL_S) throw AppError.badRequest('expires_in', `expires_in is a number of seconds from 60 to ${MAX_INVITATION_TTL_S}`);
    const now = this.clock.now();
    const token = randomToken(32);
    const id = uuidv7(now);
    const expiresAt = isoOf(now + ttl * 1000);
    await this.invitations.replaceOpen({
      id,
      enterprise_id: enterpriseId,
      email,
      email_lower: email.toLowerCase(),
      full_name: fullName,
      client_id: client.client_id,
      redirect_uri: r.redirect_uri,
      token_hash: createHash('sha256').update(token).digest('base64url'),
      created_at: isoOf(now),
      expires_at: expiresAt,
      closed_at: null,
      closed_reason: null,
      user_id: null,
    });
    return { invitation_id: id, email, connect_url: `${this.baseUrl}/connect?invite=${token}`, expires_at: expiresAt };
  }

  /** Open, accepted and expired invitations (not cancelled or replaced ones), oldest first. */
  async list(enterpriseId: string, r: PageRequest): Promise<Page<Invitation>> {
    const binding = { endpoint: 'invitations.list', scope: enterpriseId, order: 'seq_asc' };
    const afterSeq = r.cursor === undefined ? undefined : decodeCursor(this.cursors, binding, r.cursor, seqPosition);
    const rows = await this.invitations.list(enterpriseId, afterSeq, r.limit + 1);
    const now = isoOf(this.clock.now());
    return toPage(rows, r.limit, (row) => toInvitation(row, now), (row) => [Number(row.seq)], (pos) => this.cursors.encode(binding, pos));
  }

  async cancel(enterpriseId: string, id: string): Promise<Invitation> {
    const row = await this.invitations.get(enterpriseId, id);
    if (!row || row.closed_reason === 'cancelled' || row.closed_reason === 'replaced') throw AppError.notFound('Invitation');
    if (row.closed_reason === 'accepted') throw new AppError('conflict', 'The invitation has been accepted; deactivate the user instead (DELETE /enterprise/v2/users/{user_id})');
    const now = isoOf(this.clock.now());
    await this.invitations.cancel(enterpriseId, id, now);
    return { ...toInvitation(row, now), status: 'cancelled' };
  }
}

function toInvitation(row: InvitationRow, nowIso: string): Invitation {
  const status = row.closed_reason === 'accepted' ? 'accepted' : row.closed_at || nowIso >= row.expires_at ? 'expired' : 'pending';
  return { invitation_id: row.id, email: row.email, full_name: row.full_name, client_id: row.client_id, redirect_uri: row.redirect_uri, status, created_at: row.created_at, expires_at: row.expires_at, user_id: row.user_id };
}
