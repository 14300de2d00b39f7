/**
 * Request and response schemas of the Enterprise API's user, account and transaction reads
 * (SPEC §5.1–§5.8). Query strings are coerced (`limit=30` → 30); bodies are validated strictly,
 * unknown body fields are a 400 naming the field; unknown query parameters are ignored.
 */
import Type from 'typebox';
import { ACCOUNT_STATUSES } from '../../domain/api-types.js';
import { TRANSACTION_TYPES } from '../../domain/transactions.js';
import {
  AccountSchema,
  AssetPositionSchema,
  AssetTotalSchema,
  ConsentSchema,
  CurrencyValueSchema,
  CursorParam,
  DecimalString,
  ErrorItemSchema,
  LimitParam,
  ListParam,
  Nullable,
  PageSchema,
  Timestamp,
  TransactionSchema,
  UserSchema,
  Uuid,
} from './common.js';

const TIME_HELP = 'ISO 8601 with Z or an offset (2024-01-31T12:00:00Z), or epoch milliseconds';
const Str = (description: string) => Type.Optional(Type.String({ description }));
const List = (description: string) => Type.Optional(ListParam(description));
const Limit = Type.Optional(LimitParam);
const Cursor = Type.Optional(CursorParam);
const Errors = Type.Array(ErrorItemSchema, { description: 'Empty, or (206) one item per account in status error' });

export const UserIdParams = Type.Object({ user_id: Uuid });

export const UsersListQuery = Type.Object({
  user_ids: List('Only these users (UUIDs); unknown ids are simply absent'),
  limit: Limit,
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'next_cursor of the previous page, or the user_id of the last user seen' })),
});

export const UserSearchBody = Type.Object(
  {
    query: Type.Optional(Type.String({ maxLength: 320, description: 'Case-insensitive substring of the e-mail or the full name; empty means absent' })),
    email: Type.Optional(Type.String({ maxLength: 320, description: 'Exact e-mail, compared case-insensitively; empty means absent' })),
    user_ids: Type.Optional(Type.Array(Uuid, { maxItems: 100 })),
    deactivated: Type.Optional(Type.Boolean()),
    consented_from: Type.Optional(Type.String({ description: `Consented at or after (${TIME_HELP})` })),
    consented_to: Type.Optional(Type.String({ description: `Consented before (${TIME_HELP})` })),
    provider_ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100, description: 'Has an account at one of these providers' })),
    asset_ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100, description: 'Holds a quantity > 0 of one of these assets now' })),
    asset_symbols: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100, description: 'As asset_ids, by symbol (case-insensitive)' })),
    min_total_value: Type.Optional(Type.Object({ amount: DecimalString, currency: Type.String({ description: 'ISO 4217' }) }, { additionalProperties: false, description: "The user's total value in this currency is at least amount" })),
    limit: Limit,
    cursor: Cursor,
  },
  { additionalProperties: false },
);

const PositionQueryFields = {
  asset_ids: List('Only these asset ids'),
  asset_symbols: List('Only these symbols (case-insensitive)'),
  provider_ids: List('Only accounts at these providers'),
  crypto_sources: List('Alias of provider_ids (Calico)'),
  account_ids: List('Only these accounts (UUIDs)'),
};

export const UserAssetsQuery = Type.Object({
  ...PositionQueryFields,
  currency: Str("ISO 4217 currency of the values; the enterprise's base currency by default"),
  as_of: Str(`A past time: holdings reconstructed from history, valued at that time's prices (${TIME_HELP}); accounts whose history cannot reach it are listed in errors (206)`),
});

const TimeWindowFields = {
  start_time: Str(`Inclusive lower bound: ${TIME_HELP}`),
  end_time: Str(`Exclusive upper bound: ${TIME_HELP}`),
};
const TypesField = List(`Only these types: ${TRANSACTION_TYPES.join(', ')}`);

export const UserTransactionsQuery = Type.Object({
  ...TimeWindowFields,
  ...PositionQueryFields,
  types: TypesField,
  limit: Limit,
  cursor: Cursor,
});

export const DeactivateQuery = Type.Object({
  erase: Type.Optional(Type.Boolean({ description: "Also purge the user's personal data, accounts, positions and transactions; the user then answers 404" })),
});

export const AccountsListQuery = Type.Object({
  user_ids: List('Only accounts of these users (UUIDs)'),
  provider_ids: List('Only accounts at these providers'),
  statuses: List(`Only accounts in these statuses: ${ACCOUNT_STATUSES.join(', ')}`),
  limit: Limit,
  cursor: Cursor,
});

export const TransactionsListQuery = Type.Object({
  ...TimeWindowFields,
  user_ids: List('Only transactions of these users (UUIDs)'),
  provider_ids: List('Only transactions at these providers'),
  asset_ids: PositionQueryFields.asset_ids,
  asset_symbols: PositionQueryFields.asset_symbols,
  types: TypesField,
  limit: Limit,
  cursor: Cursor,
});

export const UsersPageResponse = Type.Object({ page: PageSchema, data: Type.Object({ users: Type.Array(UserSchema) }), errors: Type.Array(ErrorItemSchema) });

export const UserProfileResponse = Type.Object({
  data: Type.Object({ user: UserSchema, consent: Nullable(ConsentSchema), accounts: Type.Array(AccountSchema) }),
  errors: Errors,
});

export const UserAssetsResponse = Type.Object({
  data: Type.Object({
    assets: Type.Array(AssetPositionSchema),
    totals: Type.Array(AssetTotalSchema, { description: 'Per asset_id: exact sums of quantities and values' }),
    total_value: CurrencyValueSchema,
    unpriced_assets: Type.Integer({ minimum: 0, description: 'Positions without a value' }),
    as_of: Timestamp,
  }),
  errors: Errors,
});

export const TransactionsPageResponse = Type.Object({ page: PageSchema, data: Type.Object({ transactions: Type.Array(TransactionSchema) }), errors: Errors });

export const AccountsPageResponse = Type.Object({ page: PageSchema, data: Type.Object({ accounts: Type.Array(AccountSchema) }), errors: Type.Array(ErrorItemSchema) });

export const DeactivateResponse = Type.Object({ data: Type.Object({ user: UserSchema }) });
