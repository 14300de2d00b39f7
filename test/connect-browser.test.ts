/**
 * Connect end to end in a real browser (issue #4): Debian's chromium driven by playwright-core,
 * against the real server listening on 127.0.0.1, on both databases, at phone width. The demo app
 * page launches Connect with a PKCE challenge; the person signs in with the code from the outbox,
 * gives their name, connects the sandbox exchange (after a refused secret) and a sandbox wallet
 * (after a mistyped checksum), consents, and lands on the registered demo callback page, which
 * exchanges the code with the verifier and shows the assets. The tokens it got then read
 * /platform/v2/assets and /transactions, are refreshed, and all stop working once the user revokes
 * (DELETE /platform/v2/user). Screenshots are kept under test-artifacts/connect/.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { forEachDialect, type TestEnv } from './support/harness.js';
import { latestCode } from './support/connect-outbox.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'connect');
// EIP-55 test vector (mixed case, valid checksum), and the same with one letter's case flipped
const WALLET = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const WALLET_TYPO = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD';

let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await build({ configFile: join(process.cwd(), 'connect', 'vite.config.ts'), logLevel: 'warn' });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

async function codeFor(t: TestEnv, email: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const code = latestCode(t.dataDir, email);
    if (code) return code;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no sign-in code for ${email} in the outbox`);
}

async function bearer(origin: string, token: string, method: string, path: string): Promise<Response> {
  return fetch(`${origin}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
}

forEachDialect((env) => {
  let origin = '';
  let page: Page;

  beforeAll(async () => {
    const t = env();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const a = t.app.server.address();
    origin = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    t.deps.createWorker().start();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    page = await context.newPage();
  }, 60_000);

  it('an unknown client gets an error page on Tortie, never a redirect', async () => {
    await page.goto(`${origin}/connect?client_id=tc_nobody&redirect_uri=${encodeURIComponent('https://evil.example/cb')}&state=s`);
    expect(new URL(page.url()).origin).toBe(origin);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Connect cannot start');
  });

  it('sign in, connect two sources, consent, exchange with PKCE, read, refresh, revoke', async () => {
    const t = env();
    const e = await t.newEnterprise('Acme Wealth', { demo: true });
    await t.deps.services.enterprises.addRedirectUri(e.clientId, `${origin}/connect/demo-callback`);
    const email = `pat.${t.dialect}@example.com`;

    // the demo app page: PKCE made in the browser, then the launch link
    await page.goto(`${origin}/connect/demo?client_id=${e.clientId}`);
    const launch = page.locator('#launch');
    const href = (await launch.getAttribute('href'))!;
    const launchParams = new URL(href, origin).searchParams;
    expect(launchParams.get('code_challenge_method')).toBe('S256');
    const state = launchParams.get('state')!;
    await launch.click();

    // 1. sign in (keyboard: type, Enter)
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Your e-mail address').fill(email);
    await page.getByLabel('Your e-mail address').press('Enter');
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, `sign-in-code-${t.dialect}.png`) });
    await page.getByLabel('Sign-in code').fill(await codeFor(t, email));
    await page.getByLabel('Sign-in code').press('Enter');

    // first sign-in: the full name
    await page.getByRole('heading', { name: 'What is your name?' }).waitFor();
    await page.getByLabel('Full name').fill('Pat Example');
    await page.getByRole('button', { name: 'Continue' }).click();

    // 2. the enterprise's providers, searchable
    await page.getByRole('heading', { name: 'Choose what to share' }).waitFor();
    expect(await page.locator('body').textContent()).toContain('Acme Wealth');
    await page.screenshot({ path: join(ARTIFACTS, `providers-${t.dialect}.png`), fullPage: true });
    await page.getByLabel('Search providers').fill('sandbox');
    await expect.poll(() => page.locator('#provider-list li').count()).toBe(3);

    // 3. credentials: a refused secret shows the source's error in words, then the right one
    await page.getByRole('button', { name: /Sandbox Exchange/ }).click();
    await page.getByRole('heading', { name: 'Connect Sandbox Exchange' }).waitFor();
    await page.getByLabel('API key', { exact: true }).fill('40tx');
    await page.getByLabel('API secret').fill('wrong');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^Sandbox Exchange did not accept these details: .*Check them and try again\.$/);
    await page.getByLabel('API secret').fill('read-only-secret');
    await page.getByLabel('Name for this account (optional)').fill('Trading');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('heading', { name: 'Ready to share (1)' }).waitFor();

    // a wallet: the checksum is checked as it is typed
    await page.getByRole('button', { name: /Sandbox Wallet/ }).click();
    await page.getByRole('radio', { name: 'Public address' }).check();
    await page.getByLabel('Wallet address').fill(WALLET_TYPO);
    await expect.poll(() => page.locator('#address-hint').textContent()).toMatch(/checksum/);
    await page.getByLabel('Wallet address').fill(WALLET);
    await expect.poll(() => page.locator('#address-hint').textContent()).toBe('The address looks right.');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('heading', { name: 'Ready to share (2)' }).waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();

    // 4. consent
    await page.getByRole('heading', { name: 'Share your data with Acme Wealth?' }).waitFor();
    const consentText = (await page.locator('main').textContent())!;
    expect(consentText).toContain('Read-only');
    expect(consentText).toContain('Sandbox Exchange, Sandbox Wallet');
    expect(consentText).toContain('How to stop sharing');
    expect(consentText).toContain('connect-consent-v1');
    await page.screenshot({ path: join(ARTIFACTS, `consent-${t.dialect}.png`), fullPage: true });
    expect((await t.call(e.token, { method: 'GET', url: '/enterprise/v2/users/all' })).json().data.users).toEqual([]);
    await page.getByRole('button', { name: 'Allow', exact: true }).click();

    // 5. back on the demo app: code and state, exchanged with the verifier, assets shown
    await page.waitForURL(/\/connect\/demo-callback\?/);
    const back = new URL(page.url());
    expect(back.searchParams.get('state')).toBe(state);
    expect(back.searchParams.get('code')).toBeTruthy();
    await page.locator('#assets tbody tr').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, `assets-${t.dialect}.png`), fullPage: true });
    const access = (await page.locator('#access-token').textContent())!;
    const refresh = (await page.locator('#refresh-token').textContent())!;

    // the user exists now, with the consent and both accounts
    const users = (await t.call(e.token, { method: 'GET', url: '/enterprise/v2/users/all' })).json().data.users;
    expect(users).toEqual([expect.objectContaining({ email, full_name: 'Pat Example' })]);

    const assets = await bearer(origin, access, 'GET', '/platform/v2/assets');
    expect(assets.status).toBe(200);
    const assetsBody = (await assets.json()) as { data: { assets: { provider_id: string }[] } };
    expect(new Set(assetsBody.data.assets.map((a) => a.provider_id))).toEqual(new Set(['sandbox-exchange', 'sandbox-wallet']));
    const txs = await bearer(origin, access, 'GET', '/platform/v2/transactions?limit=5');
    expect(txs.status).toBe(200);
    expect(((await txs.json()) as { data: { transactions: unknown[] } }).data.transactions).toHaveLength(5);

    // refresh: a new access token and a rotated refresh token
    const rotated = await fetch(`${origin}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh, client_id: e.clientId }) });
    expect(rotated.status).toBe(200);
    const pair = (await rotated.json()) as { access_token: string; refresh_token: string };
    expect((await bearer(origin, pair.access_token, 'GET', '/platform/v2/user')).status).toBe(200);

    // the user revokes: every token stops working
    expect((await bearer(origin, pair.access_token, 'DELETE', '/platform/v2/user')).status).toBe(200);
    for (const token of [access, pair.access_token]) {
      for (const path of ['/platform/v2/user', '/platform/v2/assets', '/platform/v2/transactions']) {
        expect([401, 403], `${path} after revocation`).toContain((await bearer(origin, token, 'GET', path)).status);
      }
    }
    const again = await fetch(`${origin}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: pair.refresh_token, client_id: e.clientId }) });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe('invalid_grant');
  }, 120_000);

  it('connect.js: an enterprise page on another origin opens Connect in a popup and receives the code by postMessage', async () => {
    const t = env();
    const e = await t.newEnterprise('Popup Bank', { demo: true });
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    // the enterprise's page, on its own origin (another port)
    let appOrigin = '';
    const server: Server = createServer((req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      const launch = `${origin}/connect?${new URLSearchParams({ client_id: e.clientId, redirect_uri: `${appOrigin}/cb`, code_challenge: challenge, code_challenge_method: 'S256', state: 'popup-state' }).toString()}`;
      res.end(`<!doctype html><title>Popup Bank</title><button id="open">Link accounts</button><pre id="result"></pre>
<script src="${origin}/connect/connect.js"></script>
<script>
  document.getElementById('open').addEventListener('click', function () {
    TortieConnect.open({ url: ${JSON.stringify(launch)},
      onSuccess: function (r) { document.getElementById('result').textContent = JSON.stringify({ ok: r }); },
      onExit: function (r) { document.getElementById('result').textContent = JSON.stringify({ exit: r }); } });
    // a message from anything but the popup on Tortie's origin is ignored
    window.postMessage({ source: 'tortie-connect', code: 'forged', state: 'popup-state' }, '*');
  });
</script>`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    appOrigin = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    await t.deps.services.enterprises.addRedirectUri(e.clientId, `${appOrigin}/cb`);
    try {
      const app = await page.context().newPage();
      await app.goto(`${appOrigin}/`);
      const [popup] = await Promise.all([app.waitForEvent('popup'), app.locator('#open').click()]);
      await popup.getByRole('heading', { name: 'Sign in' }).waitFor();
      const email = `popup.${t.dialect}@example.com`;
      await popup.getByLabel('Your e-mail address').fill(email);
      await popup.getByLabel('Your e-mail address').press('Enter');
      await popup.getByLabel('Sign-in code').fill(await codeFor(t, email));
      await popup.getByLabel('Sign-in code').press('Enter');
      await popup.getByLabel('Full name').fill('Popup Person');
      await popup.getByLabel('Full name').press('Enter');
      // a CSV export, uploaded from the browser (sent base64, checked by the import connector)
      await popup.getByRole('button', { name: /CSV file import/ }).click();
      await popup.getByLabel('CSV export file').setInputFiles(join(process.cwd(), 'test', 'fixtures', 'csv', 'generic.csv'));
      await popup.getByLabel('File format').selectOption('generic');
      await popup.getByRole('button', { name: 'Connect', exact: true }).click();
      await popup.getByRole('heading', { name: 'Ready to share (1)' }).waitFor();
      await popup.getByRole('button', { name: 'Continue', exact: true }).click();
      await popup.getByRole('button', { name: 'Allow', exact: true }).click();
      await expect.poll(() => app.locator('#result').textContent(), { timeout: 15_000 }).toMatch(/"ok"/);
      const result = JSON.parse((await app.locator('#result').textContent())!) as { ok: { code: string; state: string } };
      expect(result.ok.state).toBe('popup-state');
      expect(result.ok.code).not.toBe('forged');
      await expect.poll(() => popup.isClosed()).toBe(true);
      const tok = await fetch(`${origin}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code: result.ok.code, redirect_uri: `${appOrigin}/cb`, client_id: e.clientId, code_verifier: verifier }) });
      expect(tok.status).toBe(200);
      const accounts = (await bearer(origin, ((await tok.json()) as { access_token: string }).access_token, 'GET', '/platform/v2/providers')).json() as Promise<{ data: { accounts: { provider_id: string; connection_type: string }[] } }>;
      expect((await accounts).data.accounts).toEqual([expect.objectContaining({ provider_id: 'csv', connection_type: 'file' })]);
      await app.close();
    } finally {
      await new Promise((r) => server.close(r));
    }
  }, 60_000);
});
