/**
 * The closed list of OAuth 2.0 error codes the `/oauth/*` endpoints answer (RFC 6749 §5.2,
 * RFC 7009 §2.2.1). Unlike the API's `ErrorItem`, these travel as `{ error, error_description }`:
 * OAuth client libraries parse exactly that shape.
 */
export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'unsupported_token_type',
  'server_error',
  'temporarily_unavailable',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

/** `invalid_client` is 401 (with `WWW-Authenticate: Basic`); the server's own failures are 5xx. */
export const STATUS_BY_OAUTH_ERROR: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  unsupported_token_type: 400,
  server_error: 500,
  temporarily_unavailable: 503,
};

export class OAuthError extends Error {
  readonly status: number;
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
    this.status = STATUS_BY_OAUTH_ERROR[error];
  }
}
