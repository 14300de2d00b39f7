/**
 * Wire schemas shared by the API routes (SPEC §3, §8). They validate requests, filter responses
 * (a field not named here is never sent: the guard against leaking a secret) and generate
 * /openapi.json. Field order here is the order on the wire.
 */
import Type, { type Static, type TSchema, type TUnsafe } from 'typebox';
import { ERROR_CAUSES } from '../../domain/errors.js';
import { CATEGORIES, TRANSACTION_STATUSES, TRANSACTION_TYPES } from '../../domain/transactions.js';
import { ACCOUNT_STATUSES, ACCOUNT_STATUS_CAUSES } from '../../domain/api-types.js';
import { CONNECTION_TYPES, PROVIDER_STATUSES, PROVIDER_TYPES } from '../../domain/providers.js';

/**
 * `T` or null. A schema with one `type` (or a string enum) becomes `type: [T, "null"]` — JSON
 * Schema's own form, which fast-json-stringify serializes with a `=== null` test, where an `anyOf`
 * costs an Ajv validation of the value against each branch (for a Nullable object: its properties,
 * DecimalString's pattern included) on every value of every response. Anything else stays an
 * `anyOf` with null.
 */
export const Nullable = <T extends TSchema>(t: T): TUnsafe<Static<T> | null> => {
  const schema = t as Record<string, unknown>;
  const combined = ['anyOf', 'oneOf', 'allOf', '$ref', 'const', 'not'].some((k) => k in schema);
  if (!combined && typeof schema.type === 'string') return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
  if (!combined && schema.type === undefined && Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string')) {
    return Type.Unsafe<Static<T> | null>({ ...schema, type: ['string', 'null'], enum: [...(schema.enum as string[]), null] });
  }
  return Type.Unsafe<Static<T> | null>(Type.Union([t, Type.Null()]));
};
/** A string enum (`{ enum: [...] }` in JSON Schema), typed as the union of its values. */
export const Enum = <const T extends readonly string[]>(values: T, description?: string) => Type.Enum([...values] as [...T], description ? { description } : {});

export const DecimalString = Type.String({ pattern: '^-?\\d+(\\.\\d*[1-9])?$', description: 'Exact decimal in minimal form, e.g. "0.1"', examples: ['1234.000000000000000001'] });
export const Timestamp = Type.String({ description: 'ISO 8601 UTC with milliseconds', examples: ['2019-08-24T14:15:22.123Z'] });
export const DateString = Type.String({ description: 'YYYY-MM-DD', examples: ['2019-08-24'] });
export const Uuid = Type.String({ format: 'uuid' });

export const ErrorItemSchema = Type.Object(
  {
    cause: Enum(ERROR_CAUSES),
    message: Type.String(),
    provider_id: Type.Optional(Type.String()),
    account_id: Type.Optional(Type.String()),
    field: Type.Optional(Type.String()),
  },
);

export const ErrorResponseSchema = Type.Object({ errors: Type.Array(ErrorItemSchema) });

export const CurrencyValueSchema = Type.Object({ amount: DecimalString, currency: Type.String({ description: 'ISO 4217' }) });

export const PageSchema = Type.Object({ next_uri: Nullable(Type.String()), next_cursor: Nullable(Type.String()) });

/** [seed] exactly these six fields, in this order. */
export const UserSchema = Type.Object({
  email: Type.String(),
  user_id: Uuid,
  consented_at: Timestamp,
  full_name: Type.String(),
  deactivated_on: Nullable(DateString),
  deactivated: Type.Boolean(),
});

export const ConsentSchema = Type.Object({
  consented_at: Timestamp,
  scopes: Type.Array(Type.String()),
  client_id: Nullable(Type.String()),
  revoked_at: Nullable(Timestamp),
  version: Type.String(),
});

export const AccountSchema = Type.Object({
  account_id: Uuid,
  user_id: Uuid,
  provider_id: Type.String(),
  provider_name: Type.String(),
  display_label: Nullable(Type.String()),
  connection_type: Enum(CONNECTION_TYPES),
  addresses: Type.Array(Type.String()),
  status: Enum(ACCOUNT_STATUSES),
  status_cause: Nullable(Enum(ACCOUNT_STATUS_CAUSES)),
  created_at: Timestamp,
  last_synced_at: Nullable(Timestamp),
  next_sync_at: Nullable(Timestamp),
  total_value: CurrencyValueSchema,
});

export const AssetPositionSchema = Type.Object({
  account_id: Uuid,
  provider_id: Type.String(),
  asset_id: Type.String(),
  asset_symbol: Type.String(),
  asset_name: Nullable(Type.String()),
  network: Nullable(Type.String()),
  quantity: DecimalString,
  price: Nullable(CurrencyValueSchema),
  value: Nullable(CurrencyValueSchema),
  updated_at: Timestamp,
});

export const AssetTotalSchema = Type.Object({
  asset_id: Type.String(),
  asset_symbol: Type.String(),
  quantity: DecimalString,
  value: Nullable(CurrencyValueSchema),
});

export const MovementSchema = Type.Object({
  asset_id: Type.String(),
  asset_symbol: Type.String(),
  quantity: DecimalString,
  value: Nullable(CurrencyValueSchema),
});

export const TransactionSchema = Type.Object({
  transaction_id: Uuid,
  user_id: Uuid,
  account_id: Uuid,
  provider_id: Type.String(),
  timestamp: Timestamp,
  type: Enum(TRANSACTION_TYPES),
  status: Enum(TRANSACTION_STATUSES),
  categorization: Type.Object({
    category: Enum(CATEGORIES),
    is_internal_transfer: Type.Boolean(),
    counterparty_account_id: Nullable(Type.String()),
  }),
  inputs: Type.Array(MovementSchema),
  outputs: Type.Array(MovementSchema),
  fees: Type.Object({ total: Nullable(CurrencyValueSchema), items: Type.Array(MovementSchema) }),
  network: Nullable(Type.String()),
  tx_hash: Nullable(Type.String()),
  from_address: Nullable(Type.String()),
  to_address: Nullable(Type.String()),
  provider_transaction_id: Type.String(),
  description: Nullable(Type.String()),
});

export const ProviderMetadataSchema = Type.Object({
  provider_id: Type.String(),
  name: Type.String(),
  type: Enum(PROVIDER_TYPES),
  connection_types: Type.Array(Enum(CONNECTION_TYPES)),
  networks: Type.Array(Type.String()),
  logo_url: Nullable(Type.String()),
  status: Enum(PROVIDER_STATUSES),
  capabilities: Type.Object({ balances: Type.Boolean(), transactions: Type.Boolean(), as_of: Type.Boolean() }),
  credential_fields: Type.Array(Type.Object({ name: Type.String(), label: Type.String(), secret: Type.Boolean(), required: Type.Boolean() })),
});

/** Query parameters shared by lists: `limit` 1–100 (default 30) and `cursor`. */
export const LimitParam = Type.Integer({ minimum: 1, maximum: 100, default: 30, description: 'Page size, 1 to 100' });
export const CursorParam = Type.String({ minLength: 1, maxLength: 2048, description: 'Opaque cursor from the previous page' });
/** A comma-separated list (repeated parameters are joined with commas; at most 100 values). */
export const ListParam = (description: string) => Type.String({ description: `${description} (comma-separated, at most 100)` });

/** Error responses every authenticated API route documents. */
export const errorResponses = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  404: ErrorResponseSchema,
  500: ErrorResponseSchema,
};
