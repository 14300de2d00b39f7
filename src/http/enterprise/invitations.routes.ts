/**
 * Enterprise API — invitations (SPEC §5.15): invite a person to Connect by e-mail, list and cancel
 * invitations. Registered inside the enterprise group (bearer auth).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Container } from '../../container.js';
import { ErrorResponseSchema, errorResponses } from '../schemas/common.js';
import { CancelledInvitationResponse, CreatedInvitationResponse, InvitationIdParams, InvitationsListQuery, InvitationsPageResponse, InviteBody } from '../schemas/invitations.js';
import { listEnvelope } from './envelope.js';
import { DEFAULT_LIMIT } from './request-filters.js';

const tags = ['Users'];

export function invitationsRoutes(deps: Container): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    app.removeContentTypeParser(['application/x-www-form-urlencoded', 'text/plain']);

    app.post('/users/invite', {
      schema: {
        tags,
        summary: 'Invite a user',
        description:
          'A Connect launch link for one person: it opens Connect with the e-mail prefilled and verified. The person becomes a user only when they consent. Inviting the same e-mail again replaces the open invitation. Answers 201.',
        body: InviteBody,
        response: { 201: CreatedInvitationResponse, ...errorResponses, 413: ErrorResponseSchema, 415: ErrorResponseSchema },
      },
    }, async (req, reply) => reply.status(201).send({ data: await deps.services.invitations.invite(req.auth.enterpriseId, req.body), errors: [] }));

    app.get('/users/invitations', {
      schema: {
        tags,
        summary: 'Invitations list',
        description: 'Invitations pending, accepted or expired (cancelled and replaced ones are left out), oldest first.',
        querystring: InvitationsListQuery,
        response: { 200: InvitationsPageResponse, ...errorResponses },
      },
    }, async (req) => listEnvelope(req, [], 'invitations', await deps.services.invitations.list(req.auth.enterpriseId, { limit: req.query.limit ?? DEFAULT_LIMIT, cursor: req.query.cursor })));

    app.delete('/users/invitations/:invitation_id', {
      schema: {
        tags,
        summary: 'Cancel an invitation',
        description: 'Its link stops working at once. An accepted invitation cannot be cancelled (409): deactivate the user instead.',
        params: InvitationIdParams,
        response: { 200: CancelledInvitationResponse, ...errorResponses, 409: ErrorResponseSchema },
      },
    }, async (req) => ({ data: { invitation: await deps.services.invitations.cancel(req.auth.enterpriseId, req.params.invitation_id.toLowerCase()) }, errors: [] }));
  };
}
