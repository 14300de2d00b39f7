/**
 * The provider catalogue (SPEC §2): every provider id this deployment supports, with the metadata
 * Connect and `/providers/all` show. Connectors (a later issue) declare the same ids.
 */
export const PROVIDER_TYPES = ['exchange', 'blockchain', 'custodian', 'file', 'sandbox'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export const CONNECTION_TYPES = ['api_key', 'wallet', 'oauth2', 'file', 'sandbox'] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export const PROVIDER_STATUSES = ['operational', 'degraded', 'down'] as const;
export type ProviderStatus = (typeof PROVIDER_STATUSES)[number];

export interface CredentialField {
  name: string;
  label: string;
  secret: boolean;
  required: boolean;
}

export interface ProviderDefinition {
  provider_id: string;
  name: string;
  type: ProviderType;
  connection_types: ConnectionType[];
  networks: string[];
  logo_url: string | null;
  capabilities: { balances: boolean; transactions: boolean; as_of: boolean };
  credential_fields: CredentialField[];
}

const apiKey = (passphrase = false): CredentialField[] => [
  { name: 'api_key', label: 'API key', secret: false, required: true },
  { name: 'secret_key', label: 'API secret', secret: true, required: true },
  ...(passphrase ? [{ name: 'passphrase', label: 'API passphrase', secret: true, required: true }] : []),
];
const walletFields: CredentialField[] = [{ name: 'address', label: 'Wallet address', secret: false, required: true }];
const full = { balances: true, transactions: true, as_of: true };

function exchange(provider_id: string, name: string, passphrase = false, oauth = false): ProviderDefinition {
  return {
    provider_id,
    name,
    type: 'exchange',
    connection_types: oauth ? ['api_key', 'oauth2', 'file'] : ['api_key', 'file'],
    networks: [],
    logo_url: null,
    capabilities: full,
    credential_fields: apiKey(passphrase),
  };
}

function chain(provider_id: string, name: string, network: string, extraFields: CredentialField[] = []): ProviderDefinition {
  return {
    provider_id,
    name,
    type: 'blockchain',
    connection_types: ['wallet'],
    networks: [network],
    logo_url: null,
    capabilities: full,
    credential_fields: [...walletFields, ...extraFields],
  };
}

export const PROVIDERS: readonly ProviderDefinition[] = [
  exchange('coinbase', 'Coinbase', false, true),
  exchange('kraken', 'Kraken'),
  exchange('binance', 'Binance'),
  exchange('bitstamp', 'Bitstamp'),
  exchange('gemini', 'Gemini'),
  exchange('kucoin', 'KuCoin', true),
  exchange('okx', 'OKX', true),
  exchange('bybit', 'Bybit'),
  chain('ethereum', 'Ethereum', 'ethereum'),
  chain('polygon', 'Polygon', 'polygon'),
  chain('arbitrum', 'Arbitrum One', 'arbitrum'),
  chain('optimism', 'OP Mainnet', 'optimism'),
  chain('base', 'Base', 'base'),
  chain('bnb', 'BNB Smart Chain', 'bnb'),
  chain('avalanche', 'Avalanche C-Chain', 'avalanche'),
  chain('bitcoin', 'Bitcoin', 'bitcoin', [{ name: 'xpub', label: 'Extended public key (xpub, ypub or zpub)', secret: false, required: false }]),
  chain('solana', 'Solana', 'solana'),
  {
    provider_id: 'csv',
    name: 'CSV file import',
    type: 'file',
    connection_types: ['file'],
    networks: [],
    logo_url: null,
    capabilities: { balances: true, transactions: true, as_of: true },
    credential_fields: [{ name: 'file', label: 'CSV export file', secret: false, required: true }],
  },
  {
    provider_id: 'sandbox-exchange',
    name: 'Sandbox Exchange',
    type: 'sandbox',
    connection_types: ['sandbox', 'api_key'],
    networks: [],
    logo_url: null,
    capabilities: full,
    credential_fields: apiKey(false),
  },
  {
    provider_id: 'sandbox-custodian',
    name: 'Sandbox Custodian',
    type: 'sandbox',
    connection_types: ['sandbox', 'api_key'],
    networks: [],
    logo_url: null,
    capabilities: full,
    credential_fields: apiKey(false),
  },
  {
    provider_id: 'sandbox-wallet',
    name: 'Sandbox Wallet',
    type: 'sandbox',
    connection_types: ['sandbox', 'wallet'],
    networks: ['ethereum'],
    logo_url: null,
    capabilities: full,
    credential_fields: walletFields,
  },
];

const BY_ID = new Map(PROVIDERS.map((p) => [p.provider_id, p]));

export function findProvider(id: string): ProviderDefinition | undefined {
  return BY_ID.get(id);
}

export function isSandboxProvider(id: string): boolean {
  return BY_ID.get(id)?.type === 'sandbox';
}

/** The providers a new enterprise enables: every non-sandbox one, plus the sandbox ones for a demo. */
export function defaultEnabledProviders(isDemo: boolean): string[] {
  return PROVIDERS.filter((p) => isDemo || p.type !== 'sandbox').map((p) => p.provider_id);
}
