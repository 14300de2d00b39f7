/**
 * Query strings and bodies of the Enterprise API reads → the typed requests services take. The
 * conventions of SPEC §3 apply: comma-separated lists (at most 100 values), an empty value means
 * absent, UUID lists and enums are checked with a 400 naming the field, time filters accept ISO
 * 8601 or epoch milliseconds and form half-open windows.
 */
import type { Static } from 'typebox';
import { ACCOUNT_STATUSES } from '../../domain/api-types.js';
import { AppError } from '../../domain/errors.js';
import { TRANSACTION_TYPES } from '../../domain/transactions.js';
import type { AccountListRequest } from '../../services/accounts.service.js';
import type { UserAssetsRequest } from '../../services/assets.service.js';
import type { TransactionListRequest } from '../../services/transactions.service.js';
import type { UserListRequest, UserSearchRequest } from '../../services/users.service.js';
import { listParam, timeParam, timeWindow, uuidListParam } from '../query.js';
import type { AccountsListQuery, TransactionsListQuery, UserAssetsQuery, UserSearchBody, UserTransactionsQuery, UsersListQuery } from '../schemas/enterprise.js';

export const DEFAULT_LIMIT = 30;

/** The query parameters each list repeats in its `next_uri` (every filter of the request). */
export const USERS_LIST_FILTERS = ['user_ids'] as const;
export const USER_TRANSACTIONS_FILTERS = ['start_time', 'end_time', 'asset_ids', 'asset_symbols', 'provider_ids', 'crypto_sources', 'account_ids', 'types'] as const;
export const ACCOUNTS_LIST_FILTERS = ['user_ids', 'provider_ids', 'statuses'] as const;
export const TRANSACTIONS_LIST_FILTERS = ['start_time', 'end_time', 'user_ids', 'provider_ids', 'asset_ids', 'asset_symbols', 'types'] as const;

function enumList(value: string | undefined, field: string, allowed: readonly string[]): string[] | undefined {
  const list = listParam(value, field);
  const bad = list?.find((v) => !allowed.includes(v));
  if (bad !== undefined) throw AppError.badRequest(field, `"${field}" takes ${allowed.join(', ')}; "${bad.slice(0, 40)}" is not one of them`);
  return list;
}

const lowerList = (value: string | undefined, field: string): string[] | undefined => {
  const list = listParam(value, field)?.map((s) => s.toLowerCase());
  return list && [...new Set(list)];
};

/** `provider_ids` and its Calico alias `crypto_sources`, merged. */
function providerList(q: { provider_ids?: string; crypto_sources?: string }): string[] | undefined {
  const a = listParam(q.provider_ids, 'provider_ids') ?? [];
  const b = listParam(q.crypto_sources, 'crypto_sources') ?? [];
  return a.length || b.length ? [...new Set([...a, ...b])] : undefined;
}

export function usersListRequest(q: Static<typeof UsersListQuery>): UserListRequest {
  return { userIds: uuidListParam(q.user_ids, 'user_ids'), limit: q.limit ?? DEFAULT_LIMIT, cursor: q.cursor };
}

export function userSearchRequest(b: Static<typeof UserSearchBody> | null): UserSearchRequest {
  const body = b ?? {};
  const consentedFrom = timeParam(body.consented_from, 'consented_from');
  const consentedTo = timeParam(body.consented_to, 'consented_to');
  if (consentedFrom && consentedTo && consentedFrom > consentedTo) throw AppError.badRequest('consented_from', '"consented_from" must not be after "consented_to"');
  const nonEmpty = <T>(list: T[] | undefined): T[] | undefined => (list && list.length ? [...new Set(list)] : undefined);
  return {
    filters: {
      query: body.query || undefined,
      email: body.email || undefined,
      userIds: nonEmpty(body.user_ids?.map((id) => id.toLowerCase())),
      deactivated: body.deactivated,
      consentedFrom,
      consentedTo,
      providerIds: nonEmpty(body.provider_ids),
      assetIds: nonEmpty(body.asset_ids),
      assetSymbolsLower: nonEmpty(body.asset_symbols?.map((s) => s.toLowerCase())),
    },
    minTotalValue: body.min_total_value,
    limit: body.limit ?? DEFAULT_LIMIT,
    cursor: body.cursor,
  };
}

export function userAssetsRequest(q: Static<typeof UserAssetsQuery>): UserAssetsRequest {
  return {
    filters: {
      assetIds: listParam(q.asset_ids, 'asset_ids'),
      assetSymbolsLower: lowerList(q.asset_symbols, 'asset_symbols'),
      providerIds: providerList(q),
      accountIds: uuidListParam(q.account_ids, 'account_ids'),
    },
    currency: q.currency,
    asOf: timeParam(q.as_of, 'as_of'),
  };
}

export function userTransactionsRequest(q: Static<typeof UserTransactionsQuery>): TransactionListRequest {
  const { start, end } = timeWindow(q);
  return {
    filters: {
      start,
      end,
      assetIds: listParam(q.asset_ids, 'asset_ids'),
      assetSymbolsLower: lowerList(q.asset_symbols, 'asset_symbols'),
      providerIds: providerList(q),
      accountIds: uuidListParam(q.account_ids, 'account_ids'),
      types: enumList(q.types, 'types', TRANSACTION_TYPES),
    },
    limit: q.limit ?? DEFAULT_LIMIT,
    cursor: q.cursor,
  };
}

export function accountsListRequest(q: Static<typeof AccountsListQuery>): AccountListRequest {
  return {
    filters: {
      userIds: uuidListParam(q.user_ids, 'user_ids'),
      providerIds: listParam(q.provider_ids, 'provider_ids'),
      statuses: enumList(q.statuses, 'statuses', ACCOUNT_STATUSES),
    },
    limit: q.limit ?? DEFAULT_LIMIT,
    cursor: q.cursor,
  };
}

export function transactionsListRequest(q: Static<typeof TransactionsListQuery>): TransactionListRequest {
  const { start, end } = timeWindow(q);
  return {
    filters: {
      start,
      end,
      userIds: uuidListParam(q.user_ids, 'user_ids'),
      providerIds: listParam(q.provider_ids, 'provider_ids'),
      assetIds: listParam(q.asset_ids, 'asset_ids'),
      assetSymbolsLower: lowerList(q.asset_symbols, 'asset_symbols'),
      types: enumList(q.types, 'types', TRANSACTION_TYPES),
    },
    limit: q.limit ?? DEFAULT_LIMIT,
    cursor: q.cursor,
  };
}
