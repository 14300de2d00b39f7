/** Request and response schemas of invitations (SPEC §5.15). */
import Type from 'typebox';
import { INVITATION_STATUSES } from '../../services/connect/invitations.service.js';
import { CursorParam, Enum, ErrorItemSchema, LimitParam, Nullable, PageSchema, Timestamp, Uuid } from './common.js';

export const InviteBody = Type.Object(
  {
    email: Type.String({ maxLength: 320, description: 'The person to invite; the link opens Connect with this e-mail already verified' }),
    full_name: Type.Optional(Type.String({ maxLength: 200, description: 'Prefilled in Connect' })),
    client_id: Type.String({ maxLength: 200, description: 'The enterprise client the consent is for' }),
    redirect_uri: Type.String({ maxLength: 2000, description: 'One of the client’s registered redirect URIs; Connect redirects there with code and state' }),
    expires_in: Type.Optional(Type.Integer({ minimum: 60, maximum: 90 * 86_400, description: 'Seconds the link stays valid (default 7 days)' })),
  },
  { additionalProperties: false },
);

export const CreatedInvitationResponse = Type.Object({
  data: Type.Object({
    invitation_id: Uuid,
    email: Type.String(),
    connect_url: Type.String({ description: 'The launch link to send or embed; shown only now. PKCE and state may be appended: &code_challenge=…&code_challenge_method=S256&state=…' }),
    expires_at: Timestamp,
  }),
  errors: Type.Array(ErrorItemSchema),
});

export const InvitationSchema = Type.Object({
  invitation_id: Uuid,
  email: Type.String(),
  full_name: Nullable(Type.String()),
  client_id: Type.String(),
  redirect_uri: Type.String(),
  status: Enum(INVITATION_STATUSES),
  created_at: Timestamp,
  expires_at: Timestamp,
  user_id: Nullable(Uuid),
});

export const InvitationsListQuery = Type.Object({ limit: Type.Optional(LimitParam), cursor: Type.Optional(CursorParam) });

export const InvitationsPageResponse = Type.Object({ page: PageSchema, data: Type.Object({ invitations: Type.Array(InvitationSchema) }), errors: Type.Array(ErrorItemSchema) });

export const InvitationIdParams = Type.Object({ invitation_id: Uuid });

export const CancelledInvitationResponse = Type.Object({ data: Type.Object({ invitation: InvitationSchema }), errors: Type.Array(ErrorItemSchema) });
