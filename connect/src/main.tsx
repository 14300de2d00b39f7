/**
 * The Connect app (SPEC §7): sign in (e-mail, then the 6-digit code), the full name on first
 * sign-in, the sources to connect (the enterprise's providers, searchable; the credential form each
 * provider's metadata names), the consent screen, then back to the enterprise with the code.
 * Every screen is a labelled form, reachable by keyboard; the heading takes focus on each step so
 * a screen reader announces where the person is.
 */
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { JSX, TargetedEvent } from 'preact';
import { api, ApiError, type Provider, type Redirect, type SessionView } from './api.js';
import { addressKind, addressesProblem } from './addresses.js';
import './styles.css';

type Screen = 'sources' | 'consent';

function Heading(props: { children: string }): JSX.Element {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), [props.children]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {props.children}
    </h1>
  );
}

function ErrorText(props: { error: string | null; id?: string }): JSX.Element | null {
  return props.error ? (
    <p class="error" role="alert" id={props.id}>
      {props.error}
    </p>
  ) : null;
}

/** Runs a request, keeping a busy flag and the person-readable error. */
function useAction(): [boolean, string | null, (f: () => Promise<void>) => Promise<void>, (e: string | null) => void] {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (f: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Something went wrong. Please try again.');
    } finally {
      setBusy(false);
    }
  };
  return [busy, error, run, setError];
}

function SignIn(props: { s: SessionView; onSession(s: SessionView): void }): JSX.Element {
  const [changing, setChanging] = useState(false);
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [busy, error, run] = useAction();
  const sentTo = changing ? null : props.s.code_sent_to;
  if (!sentTo) {
    return (
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            props.onSession(await api.sendCode(email));
            setChanging(false);
            setCode('');
          });
        }}
      >
        <Heading>Sign in</Heading>
        <p>
          <strong>{props.s.enterprise_name}</strong> uses Tortie Connect to see the crypto accounts you choose to share.
        </p>
        <label for="email">Your e-mail address</label>
        <input id="email" type="email" autocomplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} aria-describedby="email-hint" />
        <p class="hint" id="email-hint">
          We will send you a 6-digit code to check it is yours.
        </p>
        <ErrorText error={error} />
        <div class="row">
          <button type="submit" disabled={busy}>
            Send me a code
          </button>
        </div>
      </form>
    );
  }
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => props.onSession(await api.verify(code)));
      }}
    >
      <Heading>Enter your code</Heading>
      <p>
        We sent a 6-digit code to <strong>{sentTo}</strong>. It expires in 10 minutes.
      </p>
      <label for="code">Sign-in code</label>
      <input id="code" type="text" inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={code} onInput={(e) => setCode(e.currentTarget.value.replace(/\D/g, ''))} aria-invalid={error ? 'true' : 'false'} />
      <ErrorText error={error} />
      <div class="row">
        <button type="submit" disabled={busy}>
          Continue
        </button>
      </div>
      <p>
        <button type="button" class="link" onClick={() => setChanging(true)}>
          Use another e-mail or send a new code
        </button>
      </p>
    </form>
  );
}

function NameForm(props: { s: SessionView; onSession(s: SessionView): void }): JSX.Element {
  const [name, setName] = useState(props.s.full_name ?? '');
  const [busy, error, run] = useAction();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => props.onSession(await api.setName(name)));
      }}
    >
      <Heading>What is your name?</Heading>
      <p>
        Signed in as <strong>{props.s.email}</strong>. {props.s.enterprise_name} will see the name you give.
      </p>
      <label for="full_name">Full name</label>
      <input id="full_name" type="text" autocomplete="name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <ErrorText error={error} />
      <div class="row">
        <button type="submit" disabled={busy}>
          Continue
        </button>
      </div>
    </form>
  );
}

const METHOD_LABELS: Record<string, string> = { api_key: 'Read-only API key', wallet: 'Public address', file: 'CSV export', oauth2: 'Sign in with the exchange', sandbox: 'Demo data' };
const CSV_FORMATS: [string, string][] = [
  ['auto', 'Detect automatically'],
  ['coinbase', 'Coinbase'],
  ['kraken-ledgers', 'Kraken ledgers'],
  ['binance', 'Binance statement'],
  ['binance-autoinvest', 'Binance auto-invest'],
  ['binance-eth-staking', 'Binance ETH staking'],
  ['generic', 'Generic CSV (Tortie format)'],
];

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(new ApiError('The file could not be read.', 0));
    r.readAsDataURL(file);
  });
}

function SourceForm(props: { provider: Provider; onAdded(s: SessionView): void; onCancel(): void }): JSX.Element {
  const p = props.provider;
  const methods = p.connection_types.filter((t) => t in METHOD_LABELS);
  const [method, setMethod] = useState(methods.find((m) => m !== 'sandbox' && m !== 'oauth2') ?? methods[0] ?? 'api_key');
  const [values, setValues] = useState<Record<string, string>>({});
  const [file, setFile] = useState<File | null>(null);
  const [touched, setTouched] = useState(false);
  const [busy, error, run, setError] = useAction();
  const kind = addressKind(p.networks);
  const address = values.address ?? '';
  const addrProblem = method === 'wallet' && (address || touched) && !(values.xpub ?? '').trim() ? addressesProblem(kind, address) : null;
  const set = (k: string) => (e: TargetedEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => setValues({ ...values, [k]: e.currentTarget.value });
  const apiFields = p.credential_fields.filter((f) => ['api_key', 'secret_key', 'passphrase'].includes(f.name));

  const submit = (e: Event): void => {
    e.preventDefault();
    setTouched(true);
    if (method === 'wallet' && addrProblem) {
      setError(addrProblem);
      return;
    }
    void run(async () => {
      const connection: Record<string, string> = { type: method };
      if (method === 'api_key') for (const f of apiFields) if (values[f.name]) connection[f.name] = values[f.name]!;
      if (method === 'wallet') {
        if (address) connection.address = address;
        if (values.xpub) connection.xpub = values.xpub;
      }
      if (method === 'file') {
        if (!file) throw new ApiError('Choose the CSV file you exported.', 400);
        connection.format = values.format ?? 'auto';
        connection.content = await readBase64(file);
      }
      if (method === 'sandbox') connection.seed = values.seed || 'demo';
      props.onAdded(await api.addSource({ provider_id: p.provider_id, connection, ...(values.label ? { display_label: values.label } : {}) }));
    });
  };

  return (
    <form onSubmit={submit} noValidate>
      <Heading>{`Connect ${p.name}`}</Heading>
      {methods.length > 1 && (
        <fieldset>
          <legend>How do you want to connect?</legend>
          {methods.map((m) => (
            <label key={m}>
              <input type="radio" name="method" value={m} checked={method === m} onChange={() => setMethod(m)} /> {METHOD_LABELS[m]}
            </label>
          ))}
        </fieldset>
      )}
      {method === 'oauth2' && <p class="error" role="status">Signing in with {p.name} is not available yet. Choose an API key or a CSV export instead.</p>}
      {method === 'api_key' && (
        <>
          <p class="hint">Create a read-only API key at {p.name} (no trading, no withdrawals) and paste it here.</p>
          {apiFields.map((f) => (
            <div key={f.name}>
              <label for={f.name}>{f.label}</label>
              {f.secret ? (
                <input id={f.name} type="password" autocomplete="off" spellcheck={false} required={f.required} value={values[f.name] ?? ''} onInput={set(f.name)} />
              ) : (
                <input id={f.name} type="text" autocomplete="off" spellcheck={false} required={f.required} value={values[f.name] ?? ''} onInput={set(f.name)} />
              )}
            </div>
          ))}
        </>
      )}
      {method === 'wallet' && (
        <>
          <label for="address">{p.credential_fields.find((f) => f.name === 'address')?.label ?? 'Wallet address'}</label>
          <textarea id="address" rows={2} spellcheck={false} autocomplete="off" value={address} onInput={set('address')} onBlur={() => setTouched(true)} aria-invalid={addrProblem ? 'true' : 'false'} aria-describedby="address-hint" />
          <p id="address-hint" class={`hint ${addrProblem ? 'bad' : address ? 'good' : ''}`} aria-live="polite">
            {addrProblem ?? (address ? 'The address looks right.' : 'Only the public address: never a private key or recovery phrase. Several addresses may be separated by spaces.')}
          </p>
          {p.credential_fields.some((f) => f.name === 'xpub') && (
            <>
              <label for="xpub">Extended public key (optional)</label>
              <input id="xpub" type="text" spellcheck={false} autocomplete="off" value={values.xpub ?? ''} onInput={set('xpub')} aria-describedby="xpub-hint" />
              <p id="xpub-hint" class="hint">An xpub, ypub or zpub covers every address of the wallet.</p>
            </>
          )}
        </>
      )}
      {method === 'file' && (
        <>
          <label for="file">CSV export file</label>
          <input id="file" type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
          <label for="format">File format</label>
          <select id="format" value={values.format ?? 'auto'} onChange={set('format')}>
            {CSV_FORMATS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </>
      )}
      {method === 'sandbox' && (
        <>
          <label for="seed">Demo seed</label>
          <input id="seed" type="text" value={values.seed ?? 'demo'} onInput={set('seed')} aria-describedby="seed-hint" />
          <p id="seed-hint" class="hint">Any word: the same seed gives the same synthetic account.</p>
        </>
      )}
      {method !== 'oauth2' && (
        <>
          <label for="label">Name for this account (optional)</label>
          <input id="label" type="text" maxLength={100} value={values.label ?? ''} onInput={set('label')} />
        </>
      )}
      <ErrorText error={error} />
      <div class="row">
        <button type="button" class="secondary" onClick={props.onCancel}>
          Back
        </button>
        {method !== 'oauth2' && (
          <button type="submit" disabled={busy}>
            {busy ? `Checking with ${p.name}…` : 'Connect'}
          </button>
        )}
      </div>
    </form>
  );
}

function Sources(props: { s: SessionView; onSession(s: SessionView): void; onNext(): void }): JSX.Element {
  const [providers, setProviders] = useState<Provider[] | null>(null);
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<Provider | null>(null);
  const [busy, error, run] = useAction();
  useEffect(() => {
    void run(async () => setProviders(await api.providers()));
  }, []);
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (providers ?? []).filter((p) => !q || p.name.toLowerCase().includes(q) || p.provider_id.includes(q) || p.type.includes(q) || p.networks.some((n) => n.includes(q)));
  }, [providers, query]);
  if (chosen) {
    return (
      <SourceForm
        provider={chosen}
        onCancel={() => setChosen(null)}
        onAdded={(s) => {
          props.onSession(s);
          setChosen(null);
        }}
      />
    );
  }
  const added = props.s.sources;
  return (
    <div>
      <Heading>Choose what to share</Heading>
      <p>
        Connect the accounts and wallets you want <strong>{props.s.enterprise_name}</strong> to see.
      </p>
      {added.length > 0 && (
        <section aria-labelledby="added-title">
          <h2 id="added-title">Ready to share ({added.length})</h2>
          <ul class="plain sources">
            {added.map((a) => (
              <li key={a.id}>
                <span>
                  <strong>{a.provider_name}</strong>
                  {a.display_label ? ` — ${a.display_label}` : ''}
                  {a.addresses.length ? <span class="muted"> {a.addresses.join(', ')}</span> : null}
                </span>
                <button type="button" class="link" aria-label={`Remove ${a.provider_name}${a.display_label ? ` ${a.display_label}` : ''}`} onClick={() => void run(async () => props.onSession(await api.removeSource(a.id)))}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="providers-title">
        <h2 id="providers-title">{added.length ? 'Add another' : 'Providers'}</h2>
        <label for="search" class="visually-hidden">
          Search providers
        </label>
        <input id="search" type="search" placeholder="Search exchanges, wallets, chains…" value={query} onInput={(e) => setQuery(e.currentTarget.value)} aria-controls="provider-list" />
        <p class="visually-hidden" aria-live="polite">
          {providers ? `${shown.length} providers shown` : ''}
        </p>
        {!providers && !error && <p>Loading providers…</p>}
        <ul class="plain providers" id="provider-list">
          {shown.map((p) => (
            <li key={p.provider_id}>
              <button type="button" onClick={() => setChosen(p)}>
                <span>{p.name}</span>
                <span class="type">{p.status !== 'operational' ? `${p.type} · ${p.status}` : p.type}</span>
              </button>
            </li>
          ))}
        </ul>
        {providers && !shown.length && <p>No provider matches “{query}”.</p>}
      </section>
      <ErrorText error={error} />
      <div class="row">
        <button type="button" disabled={busy} onClick={props.onNext}>
          {added.length ? 'Continue' : 'Continue without connecting'}
        </button>
      </div>
    </div>
  );
}

/** Back to the enterprise: to the opener in a popup opened by connect.js, else by redirect. */
function finish(r: Redirect): void {
  const url = new URL(r.redirect_to);
  if (window.name === 'tortie-connect' && window.opener) {
    const message = { source: 'tortie-connect', code: url.searchParams.get('code'), state: url.searchParams.get('state'), error: url.searchParams.get('error') };
    // only a page of the registered redirect URI's origin can receive it
    (window.opener as Window).postMessage(message, r.origin);
    window.close();
    return;
  }
  window.location.assign(r.redirect_to);
}

function Consent(props: { s: SessionView; onBack(): void }): JSX.Element {
  const [busy, error, run] = useAction();
  const s = props.s;
  const who = s.consent.enterprise_name;
  return (
    <div class="consent">
      <Heading>{`Share your data with ${who}?`}</Heading>
      <dl>
        <dt>What is shared</dt>
        <dd>
          Read-only: the balances and the transaction history of{' '}
          {s.sources.length ? (
            <>
              the {s.sources.length === 1 ? 'account' : `${s.sources.length} accounts`} you connected ({s.sources.map((a) => a.provider_name).join(', ')})
            </>
          ) : (
            'the accounts you connect later'
          )}
          , with your name and e-mail ({s.email}). Nobody can trade, withdraw or move your funds through this.
        </dd>
        <dt>With whom</dt>
        <dd>{who}, and nobody else.</dd>
        <dt>How to stop sharing</dt>
        <dd>Revoke it at any time from {who}'s app, or by contacting {who}. Your stored keys are then destroyed.</dd>
      </dl>
      <p class="muted">Consent text version {s.consent.version}.</p>
      <ErrorText error={error} />
      <div class="row">
        <button type="button" disabled={busy} onClick={() => void run(async () => finish(await api.consent()))}>
          Allow
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => void run(async () => finish(await api.deny()))}>
          Don't allow
        </button>
      </div>
      <p>
        <button type="button" class="link" onClick={props.onBack}>
          Back to the accounts
        </button>
      </p>
    </div>
  );
}

function Closed(props: { s: SessionView }): JSX.Element {
  const [busy, error, run] = useAction();
  const who = props.s.enterprise_name;
  return (
    <div>
      <Heading>Your access has been closed</Heading>
      <p>
        The account of <strong>{props.s.email}</strong> with {who} has been deactivated, so it cannot share data again from here. Contact {who} to have it reopened.
      </p>
      <ErrorText error={error} />
      <div class="row">
        <button type="button" class="secondary" disabled={busy} onClick={() => void run(async () => finish(await api.deny()))}>
          Back to {who}
        </button>
      </div>
    </div>
  );
}

function App(): JSX.Element {
  const [s, setS] = useState<SessionView | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const [screen, setScreen] = useState<Screen>('sources');
  useEffect(() => {
    api.session().then(setS, (e: unknown) => setFatal(e instanceof ApiError ? e.message : 'Connect could not start.'));
  }, []);
  let body: JSX.Element;
  if (fatal) {
    body = (
      <div>
        <Heading>Connect cannot continue</Heading>
        <p role="alert">{fatal}</p>
      </div>
    );
  } else if (!s) body = <p>Loading…</p>;
  else if (s.step === 'sign_in') body = <SignIn s={s} onSession={setS} />;
  else if (s.step === 'closed') body = <Closed s={s} />;
  else if (s.step === 'name') body = <NameForm s={s} onSession={setS} />;
  else if (screen === 'consent') body = <Consent s={s} onBack={() => setScreen('sources')} />;
  else body = <Sources s={s} onSession={setS} onNext={() => setScreen('consent')} />;
  return (
    <main class="card">
      {body}
      <p class="muted">Tortie Connect{s ? ` · for ${s.enterprise_name}` : ''}</p>
    </main>
  );
}

render(<App />, document.getElementById('app')!);
