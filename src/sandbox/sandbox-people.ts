/**
 * Synthetic people for the demo: names, e-mail addresses, consent dates, their sandbox accounts and
 * which of them are deactivated or failing. Pure and deterministic: the same seed, user count and
 * run day give the same plans. Times are relative to `anchorMs`, the start (00:00Z) of the run day,
 * so every generated time lies before the day the demo is created.
 */
import { DAY_MS } from '../lib/clock.js';
import { Prng } from '../lib/prng.js';
import type { AccountStatus, AccountStatusCause } from '../domain/api-types.js';
import { EMAIL_DOMAINS, NAME_GROUPS, emailSlug } from './names.js';
import { HOME_FIATS, type SandboxProviderId } from './sandbox-assets.js';
import { evmAddress } from './sandbox-addresses.js';

/** Length of a demo user's history, in days before the run day (about three years). */
export const HISTORY_DAYS = 1095;

export interface SandboxAccountPlan {
  provider_id: SandboxProviderId;
  connection_type: 'api_key' | 'wallet';
  display_label: string | null;
  /** The wallet's public address (wallets only). */
  address: string | null;
  createdMs: number;
  status: AccountStatus;
  status_cause: AccountStatusCause | null;
}

export interface SandboxUserPlan {
  index: number;
  full_name: string;
  email: string;
  consentedMs: number;
  /** When the user was deactivated (history and syncs stop there), or null. */
  deactivatedMs: number | null;
  homeFiat: string;
  /** Scales the user's amounts. */
  wealth: number;
  accounts: SandboxAccountPlan[];
  historyStartMs: number;
  historyEndMs: number;
}

export interface PlanUsersOptions {
  seed: string;
  users: number;
  /** Start (00:00:00.000Z) of the run day. */
  anchorMs: number;
}

const LABELS: Record<SandboxProviderId, readonly (string | null)[]> = {
  'sandbox-exchange': ['Main trading', 'Spot account', 'Sandbox Exchange', null, 'Trading (joint)'],
  'sandbox-custodian': ['Savings', 'Cold storage', 'Retirement vault', null, 'Long-term holdings'],
  'sandbox-wallet': ['MetaMask', 'Ledger Nano', 'Hardware wallet', 'DeFi wallet', null],
};

const ERROR_CAUSES: readonly AccountStatusCause[] = ['provider_unavailable', 'rate_limited', 'invalid_credentials'];

function emailLocal(rng: Prng, first: string, last: string): string {
  const f = emailSlug(first);
  const l = emailSlug(last);
  return rng.weighted<string>([
    [`${f}.${l}`, 35],
    [`${f}${l}`, 10],
    [`${f.slice(0, 1)}${l}`, 15],
    [`${f}_${l}${rng.int(10, 99)}`, 10],
    [`${f}.${l.slice(0, 1)}`, 10],
    [`${l}.${f}`, 10],
    [`${f}${rng.int(1970, 2004)}`, 10],
  ]);
}

/** Plans `users` users; e-mail addresses are unique (case-insensitively) within the plan. */
export function planUsers(o: PlanUsersOptions): SandboxUserPlan[] {
  const ent = Prng.from(`${o.seed}:enterprise`);
  // some users deactivated (never the first), at least one whenever there are two or more users
  const deactivated = new Set<number>();
  if (o.users >= 2) {
    const candidates = ent.shuffle(Array.from({ length: o.users - 1 }, (_, i) => i + 1));
    const count = Math.max(1, Math.round(o.users * 0.12));
    for (const i of candidates.slice(0, count)) deactivated.add(i);
  }

  const taken = new Set<string>();
  const plans: SandboxUserPlan[] = [];
  for (let index = 0; index < o.users; index++) {
    const rng = Prng.from(`${o.seed}:user:${index}`);
    const group = rng.pick(NAME_GROUPS);
    const first = rng.pick(group.first);
    const last = rng.pick(group.last);
    const domain = rng.pick(EMAIL_DOMAINS);
    let local = emailLocal(rng, first, last);
    for (let n = 2; taken.has(`${local}@${domain}`); n++) local = `${emailLocal(rng, first, last)}${n}`;
    const email = `${local}@${domain}`;
    taken.add(email);

    const isDeactivated = deactivated.has(index);
    const dayMs = rng.int(0, DAY_MS - 1);
    let consentedMs: number;
    if (isDeactivated) consentedMs = o.anchorMs - rng.int(60, 1080) * DAY_MS + dayMs;
    else if (rng.chance(0.15)) consentedMs = o.anchorMs - rng.int(1, 29) * DAY_MS + dayMs;
    else consentedMs = o.anchorMs - rng.int(30, 1080) * DAY_MS + dayMs;
    const deactivatedMs = isDeactivated ? consentedMs + 14 * DAY_MS + Math.floor(rng.next() * (o.anchorMs - DAY_MS - consentedMs - 14 * DAY_MS)) : null;

    const historyEndMs = deactivatedMs ?? o.anchorMs;
    let historyStartMs = o.anchorMs - HISTORY_DAYS * DAY_MS + rng.int(0, 60) * DAY_MS + rng.int(0, DAY_MS - 1);
    if (historyEndMs - historyStartMs < 30 * DAY_MS) historyStartMs = historyEndMs - 30 * DAY_MS;

    const providers: SandboxProviderId[] =
      index === 0
        ? ['sandbox-exchange', 'sandbox-custodian', 'sandbox-wallet']
        : Array.from({ length: rng.weighted([[1, 10], [2, 25], [3, 30], [4, 20], [5, 15]] as const) }, () =>
            rng.weighted<SandboxProviderId>([['sandbox-exchange', 45], ['sandbox-custodian', 25], ['sandbox-wallet', 30]]),
          );
    const accounts = providers.map((provider_id, k): SandboxAccountPlan => {
      const later = k === 0 ? rng.int(60_000, 1_200_000) : Math.floor(rng.next() * Math.min(200 * DAY_MS, (historyEndMs - consentedMs) / 2));
      return {
        provider_id,
        connection_type: provider_id === 'sandbox-wallet' ? 'wallet' : 'api_key',
        display_label: rng.pick(LABELS[provider_id]),
        address: provider_id === 'sandbox-wallet' ? evmAddress(rng) : null,
        createdMs: consentedMs + later,
        status: isDeactivated ? 'disconnected' : 'active',
        status_cause: null,
      };
    });

    plans.push({
      index,
      full_name: `${first} ${last}`,
      email,
      consentedMs,
      deactivatedMs,
      homeFiat: rng.weighted<string>([[HOME_FIATS[0], 50], [HOME_FIATS[1], 25], [HOME_FIATS[2], 15], [HOME_FIATS[3], 5], [HOME_FIATS[4], 5]]),
      wealth: rng.logUniform(0.3, 8),
      accounts,
      historyStartMs,
      historyEndMs,
    });
  }

  // at least one account of an active user in `error`, so partial (206) responses can be seen
  const active = plans.filter((p) => p.deactivatedMs === null).flatMap((p) => p.accounts);
  const errors = ent.shuffle(active).slice(0, Math.max(1, Math.round(o.users / 12)));
  errors.forEach((a, i) => {
    a.status = 'error';
    a.status_cause = ERROR_CAUSES[i % ERROR_CAUSES.length] ?? 'provider_unavailable';
  });
  return plans;
}
