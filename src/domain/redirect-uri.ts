/**
 * Registered redirect URIs of an OAuth client (SPEC §2, §7): absolute `http` or `https` URLs with a
 * host and without a fragment (RFC 6749 §3.1.2). Connect redirects only to a URI registered here,
 * compared as an exact string.
 */
export function redirectUriProblem(uri: string): string | null {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return `"${uri}" is not an absolute URL`;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `"${uri}" must use http or https`;
  if (!u.hostname) return `"${uri}" has no host`;
  if (uri.includes('#')) return `"${uri}" must not contain a fragment`;
  if (uri.length > 2000) return 'A redirect URI is at most 2000 characters';
  return null;
}
