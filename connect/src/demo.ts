/**
 * The demo enterprise's own little app, served by Tortie for `npm start` (SPEC §11, issue #4 item
 * 6). At /connect/demo it makes a PKCE verifier and challenge and a state, keeps them in this tab's
 * sessionStorage and offers the Connect launch link; at /connect/demo-callback (a registered
 * redirect URI of the demo client) it shows the code, exchanges it at /oauth/token with the
 * verifier, and shows the user's assets from /platform/v2/assets — all on this origin.
 */
import './styles.css';

interface Pending {
  client_id: string;
  verifier: string;
  state: string;
  redirect_uri: string;
}

const root = document.getElementById('demo')!;
const KEY = 'tortie-demo-pkce';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function show(...nodes: Node[]): void {
  root.replaceChildren(...nodes);
}

const b64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

async function challengeOf(verifier: string): Promise<{ challenge: string; method: 'S256' | 'plain' }> {
  // crypto.subtle exists only in secure contexts (https, localhost, 127.0.0.1): plain otherwise
  if (!globalThis.crypto?.subtle) return { challenge: verifier, method: 'plain' };
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { challenge: b64url(new Uint8Array(digest)), method: 'S256' };
}

async function start(clientId: string): Promise<void> {
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = b64url(crypto.getRandomValues(new Uint8Array(12)));
  const redirectUri = `${location.origin}/connect/demo-callback`;
  const { challenge, method } = await challengeOf(verifier);
  sessionStorage.setItem(KEY, JSON.stringify({ client_id: clientId, verifier, state, redirect_uri: redirectUri } satisfies Pending));
  const q = new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: method, state });
  const link = el('a', { href: `/connect?${q.toString()}`, id: 'launch', class: 'button' }, 'Connect your crypto accounts');
  show(
    el('h1', {}, 'Demo app'),
    el('p', {}, 'This page plays the part of the demo enterprise’s app. It has made a PKCE code verifier (kept in this tab) and its challenge, and now sends you to Tortie Connect.'),
    el('p', {}, link),
    el('p', { class: 'muted' }, 'In Connect: sign in with any e-mail (the code is in the server log and in data/outbox/), pick “Sandbox Exchange” with API key 300tx and any secret, and allow.'),
  );
}

interface Asset {
  asset_symbol: string;
  asset_id: string;
  quantity: string;
  value: { amount: string; currency: string } | null;
}

async function assets(token: string): Promise<{ assets: Asset[]; total: string }> {
  const res = await fetch('/platform/v2/assets', { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { data?: { totals: Asset[]; total_value: { amount: string; currency: string } }; errors?: { message: string }[] };
  if (!res.ok && res.status !== 206) throw new Error(body.errors?.[0]?.message ?? `HTTP ${res.status}`);
  return { assets: body.data?.totals ?? [], total: `${body.data?.total_value.amount ?? '0'} ${body.data?.total_value.currency ?? ''}` };
}

function assetTable(list: Asset[]): HTMLElement {
  const rows = list.map((a) => el('tr', {}, el('td', {}, a.asset_symbol), el('td', { class: 'num' }, a.quantity), el('td', { class: 'num' }, a.value ? `${Number(a.value.amount).toFixed(2)} ${a.value.currency}` : '—')));
  return el('table', { id: 'assets' }, el('caption', { class: 'visually-hidden' }, 'Assets'), el('thead', {}, el('tr', {}, el('th', {}, 'Asset'), el('th', { class: 'num' }, 'Quantity'), el('th', { class: 'num' }, 'Value'))), el('tbody', {}, ...rows));
}

async function callback(params: URLSearchParams): Promise<void> {
  const pending = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Pending | null;
  if (params.get('error')) {
    show(el('h1', {}, 'You did not share your data'), el('p', { id: 'outcome' }, `Connect answered error=${params.get('error')} (state ${params.get('state') ?? 'none'}).`), el('p', {}, el('a', { href: `/connect/demo?client_id=${encodeURIComponent(pending?.client_id ?? '')}` }, 'Start again')));
    return;
  }
  const code = params.get('code') ?? '';
  if (!pending || params.get('state') !== pending.state) {
    show(el('h1', {}, 'Unexpected callback'), el('p', { role: 'alert' }, 'The state does not match the one this tab sent: start again from the link printed by npm start.'));
    return;
  }
  sessionStorage.removeItem(KEY);
  const codeLine = el('p', {}, 'Authorization code: ', el('code', { id: 'code' }, code));
  show(el('h1', {}, 'Connected'), codeLine, el('p', {}, 'Exchanging it with the PKCE verifier…'));
  const res = await fetch('/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: pending.redirect_uri, client_id: pending.client_id, code_verifier: pending.verifier }),
  });
  const tok = (await res.json()) as { access_token?: string; refresh_token?: string; expires_in?: number; scope?: string; error?: string; error_description?: string };
  if (!res.ok || !tok.access_token) {
    show(el('h1', {}, 'The exchange failed'), codeLine, el('p', { role: 'alert' }, `${tok.error ?? res.status}: ${tok.error_description ?? ''}`));
    return;
  }
  const tokens = el(
    'details',
    {},
    el('summary', {}, `User token (${tok.expires_in} s, scope “${tok.scope}”) and refresh token`),
    el('p', {}, 'Access token:'),
    el('code', { class: 'block', id: 'access-token' }, tok.access_token),
    el('p', {}, 'Refresh token:'),
    el('code', { class: 'block', id: 'refresh-token' }, tok.refresh_token ?? ''),
  );
  const status = el('p', { id: 'status', 'aria-live': 'polite' }, 'Loading your assets…');
  const holder = el('div');
  show(el('h1', {}, 'Your assets, as the demo app sees them'), codeLine, tokens, status, holder);
  // the first sync runs just after consent: poll a little while it has nothing yet
  for (let i = 0; i < 30; i++) {
    try {
      const a = await assets(tok.access_token);
      if (a.assets.length) {
        status.textContent = `Total value: ${a.total}`;
        holder.replaceChildren(assetTable(a.assets));
        return;
      }
      status.textContent = 'The first sync is running…';
    } catch (e) {
      status.textContent = `Could not read the assets: ${(e as Error).message}`;
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  status.textContent = 'No assets yet: the accounts you connected are still syncing or empty. Reload to check again.';
}

const params = new URLSearchParams(location.search);
if (location.pathname.endsWith('/demo-callback')) {
  void callback(params);
} else {
  const clientId = params.get('client_id');
  if (clientId) void start(clientId);
  else show(el('h1', {}, 'Demo app'), el('p', { role: 'alert' }, 'Open the link printed by npm start: it names the demo client.'));
}
