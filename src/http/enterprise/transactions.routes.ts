/**
 * Enterprise API — Transactions list (SPEC §5.8). Registered inside the enterprise group (bearer
 * auth). The page is written as JSON text (`transactionJson`, `listEnvelopeJson`) equal to what the
 * response schema would write; the schema still documents it and serializes the error answers.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Container } from '../../container.js';
import { errorResponses } from '../schemas/common.js';
import { TransactionsListQuery, TransactionsPageResponse } from '../schemas/enterprise.js';
import { listEnvelopeJson, sendJson } from './envelope.js';
import { TRANSACTIONS_LIST_FILTERS, transactionsListRequest } from './request-filters.js';

export function transactionsRoutes(deps: Container): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/transactions/all', {
      schema: {
        tags: ['Transactions'],
        summary: 'Transactions list',
        description: "Transactions of all the enterprise's users, newest first (timestamp, then pagination id, both descending); the time window is half-open [start_time, end_time).",
        querystring: TransactionsListQuery,
        response: { 200: TransactionsPageResponse, ...errorResponses },
      },
    }, async (req, reply) => {
      const transactions = deps.services.transactions;
      const enterpriseId = req.auth.enterpriseId;
      const render = async () => listEnvelopeJson(req, TRANSACTIONS_LIST_FILTERS, 'transactions', await transactions.allJson(enterpriseId, transactionsListRequest(req.query)));
      // A window's first page (what a dashboard polls) is kept, its page, filters and next_uri
      // following from the path and query alone. Pages further on are rendered each time: a walk
      // visits each once, and keeping them (~90 KB each) only churned the heap (server RSS 434 MB
      // walking all 100,000 pages at 10M).
      return sendJson(reply, req.query.cursor === undefined ? await transactions.allPageBytes(enterpriseId, req.url, render) : await render());
    });
  };
}
