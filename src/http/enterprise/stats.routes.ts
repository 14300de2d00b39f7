/**
 * Enterprise API — statistics (SPEC §5.9–12): users, accounts by provider, balance of all
 * accounts, top traded assets. They describe active users; registered inside the enterprise group.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';
import type { Container } from '../../container.js';
import { RANK_BY, type BalanceRequest, type TopTradedRequest } from '../../services/stats.service.js';
import { CurrencyValueSchema, DecimalString, ListParam, Nullable, Timestamp, errorResponses } from '../schemas/common.js';
import { listParam, timeWindow } from '../query.js';

const tags = ['Stats'];
const Count = Type.Integer({ minimum: 0 });
const CurrencyParam = Type.String({ minLength: 1, maxLength: 10, description: 'ISO 4217 currency of the values; the enterprise base currency when absent' });
const TimeParam = (description: string) => Type.String({ description: `${description}: ISO 8601 with Z or an offset, or epoch milliseconds` });

export const UserStatsResponse = Type.Object({
  data: Type.Object({
    total: Count,
    active: Count,
    deactivated: Count,
    with_accounts: Count,
    new_last_30_days: Count,
  }),
});

export const AccountStatsResponse = Type.Object({
  data: Type.Object({
    total: Count,
    providers: Type.Array(Type.Object({ provider_id: Type.String(), name: Type.String(), accounts: Count, users: Count })),
  }),
});

export const BalanceQuery = Type.Object({
  currency: Type.Optional(CurrencyParam),
  provider_ids: Type.Optional(ListParam('Only positions of accounts on these providers')),
});

export const BalanceResponse = Type.Object({
  data: Type.Object({
    total_value: CurrencyValueSchema,
    unpriced_assets: Count,
    assets: Type.Array(
      Type.Object({
        asset_id: Type.String(),
        asset_symbol: Type.String(),
        quantity: DecimalString,
        value: Nullable(CurrencyValueSchema),
        holders: Count,
      }),
    ),
    as_of: Timestamp,
  }),
});

export const TopTradedQuery = Type.Object({
  start_time: Type.Optional(TimeParam('Start of the half-open window (inclusive)')),
  end_time: Type.Optional(TimeParam('End of the half-open window (exclusive)')),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Number of assets, 1 to 100' })),
  rank_by: Type.Optional(Type.Enum([...RANK_BY], { default: 'volume', description: 'volume (default) or count' })),
  currency: Type.Optional(CurrencyParam),
});

export const TopTradedResponse = Type.Object({
  data: Type.Object({
    assets: Type.Array(
      Type.Object({
        asset_id: Type.String(),
        asset_symbol: Type.String(),
        trade_count: Count,
        volume: CurrencyValueSchema,
        traders: Count,
      }),
    ),
  }),
});

function balanceRequest(q: Static<typeof BalanceQuery>): BalanceRequest {
  return { currency: q.currency, providerIds: listParam(q.provider_ids, 'provider_ids') };
}

function topTradedRequest(q: Static<typeof TopTradedQuery>): TopTradedRequest {
  const { start, end } = timeWindow(q);
  return { start, end, limit: q.limit ?? 10, rankBy: q.rank_by ?? 'volume', currency: q.currency };
}

export function statsRoutes(deps: Container): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/stats/users', {
      schema: {
        tags,
        summary: 'Number of enterprise users',
        description:
          'total: every user (erased users excluded); active: not deactivated; deactivated; with_accounts: active users with at least one account not disconnected; new_last_30_days: users whose consented_at lies in the 30 days up to now.',
        response: { 200: UserStatsResponse, ...errorResponses },
      },
    }, async (req) => ({ data: await deps.services.stats.users(req.auth.enterpriseId) }));

    app.get('/stats/accounts', {
      schema: {
        tags,
        summary: 'Number of accounts by provider',
        description: 'Accounts of active users per provider (users = distinct active users with an account there), most accounts first, then by provider_id.',
        response: { 200: AccountStatsResponse, ...errorResponses },
      },
    }, async (req) => ({ data: await deps.services.stats.accounts(req.auth.enterpriseId) }));

    app.get('/stats/balance', {
      schema: {
        tags,
        summary: 'Balance of all accounts',
        description:
          "Positions of active users' accounts (last-known values included) grouped by asset_id, valued at current prices: highest value first, unpriced last, then by asset_id. holders counts active users holding a quantity > 0. total_value is the exact sum of the asset values, equal to the sum of active users' total_value.",
        querystring: BalanceQuery,
        response: { 200: BalanceResponse, ...errorResponses },
      },
    }, async (req) => ({ data: await deps.services.stats.balance(req.auth.enterpriseId, balanceRequest(req.query)) }));

    app.get('/stats/top-traded-assets', {
      schema: {
        tags,
        summary: 'Top traded assets',
        description:
          "Every confirmed buy, sell, trade or swap of an active user that is not an internal transfer, with timestamp in [start_time, end_time), adds for each distinct non-fiat asset among its inputs and outputs (fees excluded; stablecoins are not fiat) 1 to trade_count, the absolute values of that asset's movements to volume (unpriced movements add nothing) and its user to traders. Default window: the 30 days before now; one bound alone extends 30 days from it. In another currency than the enterprise's, each movement value is converted at the fiat rate of its hour. Ordered by rank_by, then asset_symbol.",
        querystring: TopTradedQuery,
        response: { 200: TopTradedResponse, ...errorResponses },
      },
    }, async (req) => ({ data: await deps.services.stats.topTradedAssets(req.auth.enterpriseId, topTradedRequest(req.query)) }));
  };
}
