/**
 * The one closed catalogue of error causes (SPEC §3). Every failure the API reports is an AppError
 * with one of these causes; `http/error-handler.ts` maps it to a status code and an ErrorItem.
 */
export const ERROR_CAUSES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'invalid_credentials',
  'provider_unavailable',
  'internal_error',
  'not_implemented',
  'service_unavailable',
] as const;
export type ErrorCause = (typeof ERROR_CAUSES)[number];

export const STATUS_BY_CAUSE: Record<ErrorCause, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  invalid_credentials: 400,
  provider_unavailable: 503,
  internal_error: 500,
  not_implemented: 501,
  service_unavailable: 503,
};

/** The wire shape of one error (SPEC §3, `ErrorItem`). */
export interface ErrorItem {
  cause: ErrorCause;
  message: string;
  provider_id?: string;
  account_id?: string;
  field?: string;
}

export class AppError extends Error {
  readonly items: ErrorItem[];
  constructor(
    readonly cause_: ErrorCause,
    message: string,
    extra: Omit<ErrorItem, 'cause' | 'message'> & { retryAfterSeconds?: number; status?: number } = {},
  ) {
    super(message);
    const { retryAfterSeconds, status, ...rest } = extra;
    this.retryAfterSeconds = retryAfterSeconds;
    this.status = status ?? STATUS_BY_CAUSE[cause_];
    this.items = [{ cause: cause_, message, ...rest }];
  }
  readonly retryAfterSeconds: number | undefined;
  /** HTTP status; the cause's default unless overridden (405 uses `bad_request`). */
  readonly status: number;

  static badRequest(field: string, message: string): AppError {
    return new AppError('bad_request', message, { field });
  }
  static notFound(what: string): AppError {
    return new AppError('not_found', `${what} not found`);
  }
}
