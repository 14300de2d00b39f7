/**
 * The Connect app's only channel to Tortie: same-origin JSON requests to /connect/api, every
 * state-changing one carrying the session's CSRF token. Errors arrive as `{ errors: [ErrorItem] }`
 * with messages written for people; they are thrown as ApiError.
 */

export interface SourceView {
  id: string;
  provider_id: string;
  provider_name: string;
  display_label: string | null;
  connection_type: string;
  addresses: string[];
}

export interface SessionView {
  csrf_token: string;
  step: 'sign_in' | 'name' | 'sources' | 'closed';
  enterprise_name: string;
  client_id: string;
  code_sent_to: string | null;
  email: string | null;
  full_name: string | null;
  invited: boolean;
  returning: boolean;
  sources: SourceView[];
  consent: { version: string; scopes: string[]; enterprise_name: string };
}

export interface CredentialField {
  name: string;
  label: string;
  secret: boolean;
  required: boolean;
}

export interface Provider {
  provider_id: string;
  name: string;
  type: string;
  connection_types: string[];
  networks: string[];
  status: string;
  credential_fields: CredentialField[];
}

export interface Redirect {
  redirect_to: string;
  origin: string;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message);
  }
}

let csrf = '';

async function call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`/connect/api${path}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError('We could not reach the server. Check your connection and try again.', 0);
  }
  const json = (await res.json().catch(() => ({}))) as { data?: T; errors?: { message: string; field?: string }[] };
  if (!res.ok) {
    const e = json.errors?.[0];
    throw new ApiError(e?.message ?? `Something went wrong (${res.status}). Please try again.`, res.status, e?.field);
  }
  return json.data as T;
}

async function session(p: Promise<SessionView>): Promise<SessionView> {
  const s = await p;
  csrf = s.csrf_token;
  return s;
}

export const api = {
  session: () => session(call<SessionView>('GET', '/session')),
  sendCode: (email: string) => session(call<SessionView>('POST', '/email', { email })),
  verify: (code: string) => session(call<SessionView>('POST', '/verify', { code })),
  setName: (full_name: string) => session(call<SessionView>('POST', '/name', { full_name })),
  providers: () => call<{ providers: Provider[] }>('GET', '/providers').then((d) => d.providers),
  addSource: (body: { provider_id: string; display_label?: string; connection: Record<string, string> }) => session(call<SessionView>('POST', '/sources', body)),
  removeSource: (id: string) => session(call<SessionView>('DELETE', `/sources/${encodeURIComponent(id)}`)),
  consent: () => call<Redirect>('POST', '/consent', {}),
  deny: () => call<Redirect>('POST', '/deny', {}),
};
