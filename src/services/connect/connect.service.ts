/**
 * Connect (SPEC §7): one person's pass from the enterprise's launch link to the redirect back.
 *
 * A pass is a *session*, keyed by a random cookie value (only its SHA-256 is stored), created at
 * launch from parameters the AuthorizationService has validated — so an unknown client or an
 * unregistered redirect URI never gets a session and nothing can redirect anywhere else. The
 * person signs in with a 6-digit code sent by e-mail (HMAC-stored, 10 minutes, 5 attempts, 5 codes
 * per e-mail per 15 minutes) or arrives verified by an invitation; gives a full name the first
 * time; adds sources, each checked against its provider at once and kept sealed *in the session*;
 * and consents. Only consent creates the User (first consent), the consent record and the accounts
 * — in one transaction — then the authorization code is issued and the browser is sent to
 * `redirect_uri?code=…&state=…`. Denial sends it to `redirect_uri?error=access_denied&state=…`.
 *
 * Every state-changing request carries a CSRF token derived from the session (HMAC), checked here.
 */
import { createHash, createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../domain/errors.js';
import { findProvider } from '../../domain/providers.js';
import type { Connection } from '../../connectors/connector.js';
import type { Clock } from '../../lib/clock.js';
import { isoOf } from '../../lib/clock.js';
import type { CryptoEnvelope } from '../../lib/crypto-envelope.js';
import { randomToken, uuidv7 } from '../../lib/ids.js';
import { isEvmAddress } from '../../lib/evm-address.js';
import type { ConnectRepository, ConnectSessionRow, PendingAccountRow } from '../../repositories/connect.repository.js';
import type { EnterprisesRepository } from '../../repositories/enterprises.repository.js';
import type { InvitationsRepository } from '../../repositories/invitations.repository.js';
import { sealConnection } from '../../sync/sync-account.js';
import type { AuthorizationService, AuthorizeQuery, ChallengeMethod } from '../auth/authorization.service.js';
import type { ConnectionsService } from '../connections.service.js';
import type { ProviderMetadata, ProvidersService } from '../providers.service.js';
import type { Mailer } from './mailer.js';

/** The version of the consent text Connect shows (stored with every consent). */
export const CONSENT_VERSION = 'connect-consent-v1';
export const SESSION_TTL_MS = 60 * 60_000;
export const LOGIN_CODE_TTL_MS = 10 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;
export const MAX_CODES_PER_EMAIL = 5;
export const CODE_WINDOW_MS = 15 * 60_000;
export const MAX_PENDING_SOURCES = 20;

const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

/** What the Connect app shows; never a secret beyond the session's own CSRF token. */
export interface ConnectSessionView {
  csrf_token: string;
  /** `closed`: the e-mail belongs to a deactivated user, who cannot consent again through Connect. */
  step: 'sign_in' | 'name' | 'sources' | 'closed';
  enterprise_name: string;
  client_id: string;
  /** The address a code was sent to, awaiting the code (null otherwise). */
  code_sent_to: string | null;
  email: string | null;
  full_name: string | null;
  invited: boolean;
  /** The e-mail belongs to a user who already consented once (no name asked). */
  returning: boolean;
  sources: ConnectSourceView[];
  consent: { version: string; scopes: string[]; enterprise_name: string };
}

export interface ConnectSourceView {
  id: string;
  provider_id: string;
  provider_name: string;
  display_label: string | null;
  connection_type: string;
  addresses: string[];
}

/** Where the browser goes next; `origin` is the redirect URI's origin (the only postMessage target). */
export interface ConnectRedirect {
  redirect_to: string;
  origin: string;
}

/** A source as the Connect form sends it: the fields of the provider's metadata, by name. */
export interface ConnectSourceInput {
  provider_id: string;
  display_label?: string;
  connection: {
    type: string;
    api_key?: string;
    secret_key?: string;
    passphrase?: string;
    address?: string;
    xpub?: string;
    /** CSV file: format (or "auto") and its bytes in base64. */
    format?: string;
    content?: string;
    seed?: string;
  };
}

export interface ConnectServiceDeps {
  repo: ConnectRepository;
  invitations: InvitationsRepository;
  enterprises: EnterprisesRepository;
  authorization: AuthorizationService;
  connections: ConnectionsService;
  providers: ProvidersService;
  envelope: CryptoEnvelope;
  mailer: Mailer;
  clock: Clock;
}

export class ConnectService {
  private readonly csrfKey: Buffer;
  private readonly codeKey: Buffer;

  constructor(private readonly d: ConnectServiceDeps) {
    this.csrfKey = d.envelope.deriveKey('connect-csrf');
    this.codeKey = d.envelope.deriveKey('connect-code');
  }

  /**
   * Starts a pass from the launch parameters; returns the new session's cookie value. Throws the
   * AuthorizationService's `bad_request` for an unknown client, an unregistered redirect URI or a
   * bad PKCE challenge (Connect shows it and never redirects).
   */
  async launch(q: AuthorizeQuery): Promise<string> {
    const v = await this.d.authorization.validateAuthorizeRequest(q);
    return this.newSession({ enterprise_id: v.client.enterprise_id, client_id: v.client.client_id, redirect_uri: v.redirectUri, code_challenge: v.codeChallenge, code_challenge_method: v.method, state: v.state, scopes: JSON.stringify(v.scopes), invitation_id: null, email: null, full_name: null });
  }

  /** Starts a pass from an invitation link: the e-mail is the invitation's, already verified. */
  async launchInvite(inviteToken: string, q: Omit<AuthorizeQuery, 'client_id' | 'redirect_uri'>): Promise<string> {
    const inv = await this.d.invitations.byTokenHash(sha256(inviteToken));
    const now = isoOf(this.d.clock.now());
    if (!inv) throw AppError.badRequest('invite', 'This invitation link is not valid. Ask for a new invitation.');
    if (inv.closed_reason === 'accepted') throw AppError.badRequest('invite', 'This invitation has already been used.');
    if (inv.closed_at) throw AppError.badRequest('invite', 'This invitation has been withdrawn or replaced by a newer one. Use the latest invitation you received.');
    if (now >= inv.expires_at) throw AppError.badRequest('invite', 'This invitation has expired. Ask for a new invitation.');
    const v = await this.d.authorization.validateAuthorizeRequest({ ...q, client_id: inv.client_id, redirect_uri: inv.redirect_uri });
    return this.newSession({ enterprise_id: inv.enterprise_id, client_id: inv.client_id, redirect_uri: inv.redirect_uri, code_challenge: v.codeChallenge, code_challenge_method: v.method, state: v.state, scopes: JSON.stringify(v.scopes), invitation_id: inv.id, email: inv.email, full_name: inv.full_name });
  }

  private async newSession(s: Omit<ConnectSessionRow, 'id' | 'created_at' | 'expires_at' | 'completed_at'>): Promise<string> {
    const token = randomToken(32);
    const now = this.d.clock.now();
    await this.d.repo.createSession({ ...s, id: sha256(token), created_at: isoOf(now), expires_at: isoOf(now + SESSION_TTL_MS), completed_at: null });
    return token;
  }

  /** The CSRF token of a session: an HMAC of its cookie value, so it needs no storage. */
  csrfToken(sessionToken: string): string {
    return createHmac('sha256', this.csrfKey).update(sessionToken).digest('base64url');
  }

  /** 403 unless `presented` is the session's CSRF token. */
  checkCsrf(sessionToken: string | undefined, presented: string | undefined): void {
    if (!sessionToken || !presented) throw new AppError('forbidden', 'This form has expired or was not sent by Connect (CSRF token missing). Reload the page and try again.');
    const a = Buffer.from(this.csrfToken(sessionToken));
    const b = Buffer.from(presented);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new AppError('forbidden', 'This form has expired or was not sent by Connect (CSRF token mismatch). Reload the page and try again.');
  }

  async view(sessionToken: string | undefined): Promise<ConnectSessionView> {
    const s = await this.openSession(sessionToken);
    const enterprise = await this.d.enterprises.get(s.enterprise_id);
    const existing = s.email ? await this.d.repo.userByEmail(s.enterprise_id, s.email) : undefined;
    const code = s.email ? undefined : await this.d.repo.latestCode(s.id);
    const codePending = code && !code.used_at && isoOf(this.d.clock.now()) < code.expires_at && code.attempts < MAX_CODE_ATTEMPTS;
    const pending = await this.d.repo.pendingAccounts(s.id);
    const name = enterprise?.name ?? 'this service';
    const needsName = !!s.email && !existing && !s.full_name;
    return {
      csrf_token: this.csrfToken(sessionToken!),
      step: !s.email ? 'sign_in' : existing?.deactivated ? 'closed' : needsName ? 'name' : 'sources',
      enterprise_name: name,
      client_id: s.client_id,
      code_sent_to: codePending ? code.email : null,
      email: s.email,
      full_name: existing?.full_name ?? s.full_name,
      invited: s.invitation_id !== null,
      returning: !!existing,
      sources: pending.map(sourceView),
      consent: { version: CONSENT_VERSION, scopes: JSON.parse(s.scopes) as string[], enterprise_name: name },
    };
  }

  /** Sends a 6-digit sign-in code to `email` (rate-limited per e-mail and per session). */
  async sendCode(sessionToken: string | undefined, emailInput: string): Promise<ConnectSessionView> {
    const s = await this.openSession(sessionToken);
    if (s.email) throw new AppError('conflict', 'You are already signed in.');
    const email = emailInput.trim();
    if (!EMAIL_RE.test(email) || email.length > 254) throw AppError.badRequest('email', 'Enter a valid e-mail address, like name@example.com.');
    const now = this.d.clock.now();
    const recent = await this.d.repo.countCodesSince(s.enterprise_id, email.toLowerCase(), isoOf(now - CODE_WINDOW_MS));
    if (recent >= MAX_CODES_PER_EMAIL || (await this.d.repo.countSessionCodes(s.id)) >= MAX_CODES_PER_EMAIL * 2) {
      throw new AppError('rate_limited', 'Too many codes were sent to this address. Wait 15 minutes, then ask for a new one.', { retryAfterSeconds: CODE_WINDOW_MS / 1000 });
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.d.repo.insertCode({ id: uuidv7(now), session_id: s.id, enterprise_id: s.enterprise_id, email, email_lower: email.toLowerCase(), code_hash: this.codeHash(s.id, code), attempts: 0, created_at: isoOf(now), expires_at: isoOf(now + LOGIN_CODE_TTL_MS), used_at: null });
    const enterprise = await this.d.enterprises.get(s.enterprise_id);
    await this.d.mailer.send({
      to: email,
      subject: `Your sign-in code for ${enterprise?.name ?? 'Tortie Connect'}: ${code}`,
      text: `Your Tortie Connect sign-in code is ${code}\n\nEnter it on the page where you asked for it. It expires in 10 minutes.\nIf you did not ask for it, ignore this mail.\n`,
    });
    return this.view(sessionToken);
  }

  /** Checks the code sent to this session's e-mail; on success the e-mail is verified. */
  async verifyCode(sessionToken: string | undefined, codeInput: string): Promise<ConnectSessionView> {
    const s = await this.openSession(sessionToken);
    if (s.email) return this.view(sessionToken);
    const code = await this.d.repo.latestCode(s.id);
    const now = isoOf(this.d.clock.now());
    if (!code || code.used_at) throw AppError.badRequest('code', 'Ask for a sign-in code first.');
    if (now >= code.expires_at) throw AppError.badRequest('code', 'This code has expired. Ask for a new one.');
    if (code.attempts >= MAX_CODE_ATTEMPTS) throw new AppError('rate_limited', 'Too many wrong codes. Ask for a new code.', { field: 'code' });
    const attempts = await this.d.repo.countAttempt(code.id);
    const presented = Buffer.from(this.codeHash(s.id, codeInput.trim()));
    const expected = Buffer.from(code.code_hash);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      const left = MAX_CODE_ATTEMPTS - attempts;
      if (left <= 0) throw new AppError('rate_limited', 'Too many wrong codes. Ask for a new code.', { field: 'code' });
      throw AppError.badRequest('code', `That code is not right. ${left} ${left === 1 ? 'try' : 'tries'} left.`);
    }
    if (!(await this.d.repo.useCode(code.id, now))) throw AppError.badRequest('code', 'This code has already been used. Ask for a new one.');
    await this.d.repo.updateSession(s.id, { email: code.email });
    return this.view(sessionToken);
  }

  async setName(sessionToken: string | undefined, fullNameInput: string): Promise<ConnectSessionView> {
    const s = await this.signedIn(sessionToken);
    const fullName = fullNameInput.trim().replace(/\s+/g, ' ');
    if (!fullName || fullName.length > 200) throw AppError.badRequest('full_name', 'Enter your full name (up to 200 characters).');
    await this.d.repo.updateSession(s.id, { full_name: fullName });
    return this.view(sessionToken);
  }

  /** The enterprise's enabled providers (what the person may connect). */
  async providers(sessionToken: string | undefined): Promise<ProviderMetadata[]> {
    const s = await this.signedIn(sessionToken);
    return this.d.providers.enabled(s.enterprise_id);
  }

  /**
   * Checks a source against its provider and keeps it, sealed, in the session until consent.
   * Errors name the provider and say what to do, in words a person understands.
   */
  async addSource(sessionToken: string | undefined, input: ConnectSourceInput): Promise<ConnectSessionView> {
    const s = await this.signedIn(sessionToken);
    const provider = findProvider(input.provider_id);
    if (!provider) throw AppError.badRequest('provider_id', 'Choose a provider from the list.');
    const already = await this.d.repo.pendingAccounts(s.id);
    if (already.length >= MAX_PENDING_SOURCES) throw AppError.badRequest('provider_id', `You can add up to ${MAX_PENDING_SOURCES} sources at a time.`);
    const connection = toConnection(provider.name, provider.networks, input.connection);
    try {
      await this.d.connections.checkConnection(s.enterprise_id, provider.provider_id, connection);
    } catch (e) {
      throw friendly(e, provider.name);
    }
    // strictly after the previous source, so sources (and later their accounts) keep the order they were added in
    const last = already.at(-1);
    const now = Math.max(this.d.clock.now(), last ? Date.parse(last.created_at) + 1 : 0);
    const id = uuidv7(now);
    await this.d.repo.addPendingAccount({
      id,
      session_id: s.id,
      provider_id: provider.provider_id,
      display_label: input.display_label?.trim() ? input.display_label.trim().slice(0, 100) : null,
      connection_type: connection.type,
      addresses: JSON.stringify(connection.addresses ?? []),
      credentials_enc: sealConnection(this.d.envelope, id, connection),
      created_at: isoOf(now),
    });
    return this.view(sessionToken);
  }

  async removeSource(sessionToken: string | undefined, id: string): Promise<ConnectSessionView> {
    const s = await this.signedIn(sessionToken);
    await this.d.repo.removePendingAccount(s.id, id);
    return this.view(sessionToken);
  }

  /**
   * Consent: creates the User on first consent (or reuses the active user with this e-mail), the
   * consent record and the accounts in one transaction, queues their first syncs, issues the code.
   */
  async consent(sessionToken: string | undefined): Promise<ConnectRedirect> {
    try {
      return await this.consentOnce(sessionToken);
    } catch (e) {
      // the same e-mail consented at the same moment in another session and won the unique index:
      // this consent then joins that user (the transaction wrote nothing)
      const s = await this.signedIn(sessionToken).catch(() => undefined);
      if (s && !(e instanceof AppError) && (await this.d.repo.userByEmail(s.enterprise_id, s.email!))) return this.consentOnce(sessionToken);
      throw e;
    }
  }

  private async consentOnce(sessionToken: string | undefined): Promise<ConnectRedirect> {
    const s = await this.signedIn(sessionToken);
    const existing = await this.d.repo.userByEmail(s.enterprise_id, s.email!);
    if (existing?.deactivated) throw new AppError('forbidden', 'Your access with this service has been closed. Contact them to have it reopened.');
    if (!existing && !s.full_name) throw AppError.badRequest('full_name', 'Enter your full name first.');
    const now = this.d.clock.now();
    const nowIso = isoOf(now);
    const userId = existing?.id ?? uuidv7(now);
    const pending = await this.d.repo.pendingAccounts(s.id);
    const done = await this.d.repo.complete({
      sessionId: s.id,
      enterpriseId: s.enterprise_id,
      nowIso,
      newUser: existing ? null : { id: userId, enterprise_id: s.enterprise_id, email: s.email!, full_name: s.full_name!, consented_at: nowIso, created_at: nowIso },
      userId,
      consent: { id: uuidv7(now), client_id: s.client_id, scopes: s.scopes, version: CONSENT_VERSION },
      accounts: pending.map((p) => ({
        id: p.id,
        enterprise_id: s.enterprise_id,
        user_id: userId,
        provider_id: p.provider_id,
        display_label: p.display_label,
        connection_type: p.connection_type,
        addresses: JSON.parse(p.addresses) as string[],
        status: 'syncing',
        credentials_enc: p.credentials_enc,
        created_at: nowIso,
        next_sync_at: nowIso,
      })),
      invitationId: s.invitation_id,
    });
    if (!done) throw new AppError('conflict', 'This Connect session is already finished. Start again from the service that sent you here.');
    for (const p of pending) await this.d.connections.requestSync(s.enterprise_id, p.id);
    const code = await this.d.authorization.issueCode({
      clientId: s.client_id,
      enterpriseId: s.enterprise_id,
      userId,
      redirectUri: s.redirect_uri,
      codeChallenge: s.code_challenge,
      method: s.code_challenge_method as ChallengeMethod | null,
      scopes: JSON.parse(s.scopes) as string[],
    });
    return redirectTo(s, { code });
  }

  /** Denial: nothing is kept; the browser goes back with `error=access_denied`. */
  async deny(sessionToken: string | undefined): Promise<ConnectRedirect> {
    const s = await this.openSession(sessionToken);
    await this.d.repo.closeSession(s.id, isoOf(this.d.clock.now()));
    return redirectTo(s, { error: 'access_denied', error_description: 'The user declined to share their data' });
  }

  private async openSession(sessionToken: string | undefined): Promise<ConnectSessionRow> {
    const s = sessionToken ? await this.d.repo.getSession(sha256(sessionToken)) : undefined;
    if (!s) throw new AppError('unauthorized', 'Your Connect session was not found. Start again from the service that sent you here.');
    if (s.completed_at) throw new AppError('conflict', 'This Connect session is already finished. Start again from the service that sent you here.');
    if (isoOf(this.d.clock.now()) >= s.expires_at) throw new AppError('unauthorized', 'Your Connect session has expired. Start again from the service that sent you here.');
    return s;
  }

  private async signedIn(sessionToken: string | undefined): Promise<ConnectSessionRow> {
    const s = await this.openSession(sessionToken);
    if (!s.email) throw new AppError('unauthorized', 'Sign in with your e-mail first.');
    return s;
  }

  private codeHash(sessionId: string, code: string): string {
    return createHmac('sha256', this.codeKey).update(`${sessionId}:${code}`).digest('base64url');
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function sourceView(p: PendingAccountRow): ConnectSourceView {
  return { id: p.id, provider_id: p.provider_id, provider_name: findProvider(p.provider_id)?.name ?? p.provider_id, display_label: p.display_label, connection_type: p.connection_type, addresses: JSON.parse(p.addresses) as string[] };
}

function redirectTo(s: ConnectSessionRow, params: Record<string, string>): ConnectRedirect {
  const u = new URL(s.redirect_uri);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  if (s.state !== null) u.searchParams.set('state', s.state);
  return { redirect_to: u.toString(), origin: u.origin };
}

const EVM_NETWORKS = new Set(['ethereum', 'polygon', 'arbitrum', 'optimism', 'base', 'bnb', 'avalanche']);

/** The form's fields as a connector Connection; wallet addresses checked for their chain's shape. */
function toConnection(providerName: string, networks: string[], c: ConnectSourceInput['connection']): Connection {
  const str = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());
  switch (c.type) {
    case 'api_key':
      if (!str(c.api_key) || !str(c.secret_key)) throw AppError.badRequest('api_key', `Enter the API key and secret you created at ${providerName}.`);
      return { type: 'api_key', api_key: str(c.api_key), secret_key: str(c.secret_key), ...(str(c.passphrase) ? { passphrase: str(c.passphrase) } : {}) };
    case 'wallet': {
      const addresses = (c.address ?? '').split(/[\s,]+/).filter(Boolean);
      const xpub = str(c.xpub);
      if (!addresses.length && !xpub) throw AppError.badRequest('address', 'Enter a wallet address.');
      if (networks.some((n) => EVM_NETWORKS.has(n))) {
        for (const a of addresses) {
          if (!isEvmAddress(a)) throw AppError.badRequest('address', `${a.slice(0, 60)} is not a valid ${providerName} address: it must be 0x followed by 40 hexadecimal characters, with a correct checksum if it mixes upper and lower case.`);
        }
      }
      return { type: 'wallet', addresses, ...(xpub ? { xpub } : {}) };
    }
    case 'file': {
      const content = c.content ? Buffer.from(c.content, 'base64') : Buffer.alloc(0);
      if (!content.length) throw AppError.badRequest('file', 'Choose the CSV file you exported.');
      return { type: 'file', file: { format: str(c.format) ?? 'auto', content } };
    }
    case 'sandbox':
      return { type: 'sandbox', seed: str(c.seed) ?? 'connect' };
    case 'oauth2':
      throw new AppError('not_implemented', `Signing in with ${providerName} is not available yet. Connect with an API key or a CSV export instead.`);
    default:
      throw AppError.badRequest('connection.type', 'Choose how to connect this source.');
  }
}

/** The connector's error, said to a person. */
function friendly(e: unknown, providerName: string): unknown {
  if (!(e instanceof AppError)) return e;
  const item = e.items[0];
  const detail = item?.message ?? e.message;
  switch (e.cause_) {
    case 'invalid_credentials':
      return new AppError('invalid_credentials', `${providerName} did not accept these details: ${detail}. Check them and try again.`, { provider_id: item?.provider_id });
    case 'provider_unavailable':
      return new AppError('provider_unavailable', `We could not reach ${providerName} to check these details. Please try again in a few minutes.`, { provider_id: item?.provider_id });
    case 'not_implemented':
      return new AppError('not_implemented', `${providerName} cannot be connected on this server yet.`, { provider_id: item?.provider_id });
    default:
      return e;
  }
}
