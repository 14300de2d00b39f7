/**
 * Request and response schemas of the Platform API (SPEC §6). Reads reuse the Enterprise API's
 * shapes (`UserAssetsQuery`, `TransactionsPageResponse`, …): the same data, for the token's user.
 */
import Type from 'typebox';
import { ACCESS_RESOURCES, ACCESS_SURFACES } from '../../services/access-log.service.js';
import { REFRESH_STATES } from '../../services/refreshes.service.js';
import { AccountSchema, ConsentSchema, CursorParam, Enum, ErrorItemSchema, LimitParam, ListParam, Nullable, PageSchema, ProviderMetadataSchema, Timestamp, UserSchema, Uuid } from './common.js';

export const PlatformUserResponse = Type.Object({ data: Type.Object({ user: UserSchema, consent: Nullable(ConsentSchema) }) });

export const AccessLogQuery = Type.Object({ limit: Type.Optional(LimitParam), cursor: Type.Optional(CursorParam) });

export const AccessLogEntrySchema = Type.Object({
  read_at: Timestamp,
  client_id: Type.String({ description: 'The OAuth client that read the data' }),
  surface: Enum(ACCESS_SURFACES, 'enterprise: the enterprise backend (Enterprise API); platform: an app acting for the user'),
  resource: Enum(ACCESS_RESOURCES, 'What was read'),
});

export const AccessLogResponse = Type.Object({ page: PageSchema, data: Type.Object({ entries: Type.Array(AccessLogEntrySchema) }), errors: Type.Array(ErrorItemSchema) });

export const PlatformAccountsResponse = Type.Object({ data: Type.Object({ accounts: Type.Array(AccountSchema) }), errors: Type.Array(ErrorItemSchema) });

export const SupportedProvidersResponse = Type.Object({ data: Type.Object({ providers: Type.Array(ProviderMetadataSchema) }) });

const Secret = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description }));

export const ConnectionSchema = Type.Object(
  {
    type: Type.String({ description: 'api_key, wallet, file, sandbox (oauth2: not available yet)' }),
    api_key: Secret('api_key: the read-only API key'),
    secret_key: Secret('api_key: its secret'),
    passphrase: Secret('api_key: its passphrase, where the exchange has one'),
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'wallet: one address' })),
    addresses: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 100, description: 'wallet: several addresses' })),
    xpub: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'wallet: an extended public key (xpub/ypub/zpub)' })),
    format: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'file: the export format (auto by default)' })),
    content: Type.Optional(Type.String({ minLength: 1, description: 'file: the CSV export, base64' })),
    seed: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'sandbox: the generator seed' })),
  },
  { additionalProperties: false },
);

const AddProviderFields = {
  provider_id: Type.String({ minLength: 1, maxLength: 100 }),
  display_label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  connection: ConnectionSchema,
};

export const AddProviderItemSchema = Type.Object(AddProviderFields, { additionalProperties: false });

export const AddProvidersBody = Type.Object(
  {
    provider_id: Type.Optional(AddProviderFields.provider_id),
    display_label: AddProviderFields.display_label,
    connection: Type.Optional(ConnectionSchema),
    providers: Type.Optional(Type.Array(AddProviderItemSchema, { minItems: 1, maxItems: 20, description: 'Several sources at once' })),
  },
  { additionalProperties: false, description: 'One source ({ provider_id, display_label?, connection }) or several ({ providers: [...] })' },
);

export const AddProvidersResponse = Type.Object({
  data: Type.Object({ added: Type.Integer({ minimum: 0 }), accounts: Type.Array(AccountSchema) }),
  errors: Type.Array(ErrorItemSchema, { description: 'One item per source that could not be added, with its provider_id' }),
});

export const RemoveProvidersBody = Type.Object(
  {
    account_ids: Type.Optional(Type.Array(Uuid, { maxItems: 100 })),
    provider_ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export const RemoveProvidersResponse = Type.Object({ data: Type.Object({ removed: Type.Array(Uuid) }) });

export const RefreshQuery = Type.Object({
  crypto_sources: Type.Optional(ListParam('Only accounts at these providers (Calico)')),
  provider_ids: Type.Optional(ListParam('Alias of crypto_sources')),
});

const RefreshAccountSchema = Type.Object({
  account_id: Uuid,
  provider_id: Type.String(),
  status: Enum(REFRESH_STATES),
  cause: Nullable(Type.String({ description: 'Why the sync failed, when it did' })),
});

export const RefreshResponse = Type.Object({
  data: Type.Object({ refresh_id: Uuid, status: Enum(REFRESH_STATES), accounts: Type.Array(RefreshAccountSchema) }),
});

export const RefreshIdParams = Type.Object({ refresh_id: Uuid });

export const OAuthCallbackBody = Type.Object(
  {
    provider_id: Type.String({ minLength: 1, maxLength: 100 }),
    code: Type.String({ minLength: 1, maxLength: 2000 }),
    state: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
