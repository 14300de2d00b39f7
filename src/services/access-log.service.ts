/**
 * Who read a user's data (SPEC §6 `GET /platform/v2/user/access-log`, issue #4 item 5): every read
 * scoped to one user — the Enterprise API's user account, assets and transactions, and the
 * Platform API's reads — records one entry (time, client, surface, what was read). Lists over all
 * users record nothing: one entry per user there would put a write in the hot path of every list.
 */
import type { Clock } from '../lib/clock.js';
import { isoOf } from '../lib/clock.js';
import type { CursorBinding, CursorCodec } from '../lib/cursor-codec.js';
import type { AccessLogRepository } from '../repositories/access-log.repository.js';
import { decodeCursor, seqPosition, toPage, type Page, type PageRequest } from './pagination.js';

export const ACCESS_SURFACES = ['enterprise', 'platform'] as const;
export type AccessSurface = (typeof ACCESS_SURFACES)[number];
/** What a read returned: the user's profile, their accounts, assets or transactions. */
export const ACCESS_RESOURCES = ['user', 'accounts', 'assets', 'transactions'] as const;
export type AccessResource = (typeof ACCESS_RESOURCES)[number];

export interface AccessLogEntry {
  read_at: string;
  client_id: string;
  surface: AccessSurface;
  resource: AccessResource;
}

export interface AccessRead {
  enterpriseId: string;
  userId: string;
  clientId: string;
  surface: AccessSurface;
  resource: AccessResource;
}

export class AccessLogService {
  constructor(
    private readonly repo: AccessLogRepository,
    private readonly cursors: CursorCodec,
    private readonly clock: Clock,
  ) {}

  /** One insert. */
  async record(r: AccessRead): Promise<void> {
    await this.repo.insert({ enterprise_id: r.enterpriseId, user_id: r.userId, client_id: r.clientId, surface: r.surface, resource: r.resource, read_at: isoOf(this.clock.now()) });
  }

  /** The user's entries, newest first. */
  async list(enterpriseId: string, userId: string, r: PageRequest): Promise<Page<AccessLogEntry>> {
    const binding: CursorBinding = { endpoint: 'platform.access_log', scope: `${enterpriseId}/${userId}`, order: 'seq_desc' };
    const beforeSeq = r.cursor === undefined ? undefined : decodeCursor(this.cursors, binding, r.cursor, seqPosition);
    const rows = await this.repo.listForUser(enterpriseId, userId, beforeSeq, r.limit + 1);
    return toPage(
      rows,
      r.limit,
      (e) => ({ read_at: e.read_at, client_id: e.client_id, surface: e.surface as AccessSurface, resource: e.resource as AccessResource }),
      (e) => [Number(e.seq)],
      (pos) => this.cursors.encode(binding, pos),
    );
  }
}
