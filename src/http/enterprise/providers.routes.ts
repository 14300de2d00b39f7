/**
 * Enterprise API — providers (SPEC §5.13–14): the enterprise's enabled providers (read and
 * replace) and every provider this deployment supports. Registered inside the enterprise group.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Container } from '../../container.js';
import { ErrorResponseSchema, ProviderMetadataSchema, errorResponses } from '../schemas/common.js';

const tags = ['Providers'];

export const ProvidersResponse = Type.Object({ data: Type.Object({ providers: Type.Array(ProviderMetadataSchema) }) });

export const SetProvidersBody = Type.Object(
  {
    provider_ids: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100, description: 'Every provider id to enable; the others are disabled' }),
  },
  { additionalProperties: false },
);

export function providersRoutes(deps: Container): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    // the Enterprise API takes JSON bodies only: a form body here is a 415, not a parsed object
    app.removeContentTypeParser(['application/x-www-form-urlencoded', 'text/plain']);

    app.get('/providers', {
      schema: {
        tags,
        summary: 'Enterprise providers',
        description: 'The providers this enterprise enables: the ones its users can connect in Connect.',
        response: { 200: ProvidersResponse, ...errorResponses },
      },
    }, async (req) => ({ data: { providers: await deps.services.providers.enabled(req.auth.enterpriseId) } }));

    app.put('/providers', {
      schema: {
        tags,
        summary: 'Replace the enterprise providers',
        description: 'Replaces the enabled set with provider_ids and returns it. Unknown ids (and sandbox providers, outside a demo enterprise) are a 400 naming them.',
        body: SetProvidersBody,
        response: { 200: ProvidersResponse, ...errorResponses, 413: ErrorResponseSchema, 415: ErrorResponseSchema },
      },
    }, async (req) => ({ data: { providers: await deps.services.providers.setEnabled(req.auth.enterpriseId, req.body.provider_ids) } }));

    app.get('/providers/all', {
      schema: {
        tags,
        summary: 'All providers',
        description: 'Every provider this deployment supports, with its current status.',
        response: { 200: ProvidersResponse, ...errorResponses },
      },
    }, async () => ({ data: { providers: await deps.services.providers.all() } }));
  };
}
