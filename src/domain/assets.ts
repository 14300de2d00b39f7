/**
 * Asset identity (SPEC §2): a stable `asset_id` (`bitcoin`, `ethereum:0x…` for a token,
 * `fiat:USD`), displayed by `asset_symbol`. Fiat means an ISO 4217 currency; stablecoins are not fiat.
 */
export const FIAT_CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF', 'JPY', 'CAD', 'AUD', 'SGD', 'HKD', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'NZD', 'BRL', 'MXN', 'INR', 'KRW', 'TRY', 'ZAR', 'CNY'] as const;
export type FiatCurrency = (typeof FIAT_CURRENCIES)[number];

const FIAT_SET = new Set<string>(FIAT_CURRENCIES);

export function isFiatCurrency(code: string): boolean {
  return FIAT_SET.has(code);
}

export function fiatAssetId(code: string): string {
  return `fiat:${code}`;
}

export function isFiatAssetId(assetId: string): boolean {
  return assetId.startsWith('fiat:') && FIAT_SET.has(assetId.slice(5));
}

export interface AssetInfo {
  asset_id: string;
  symbol: string;
  name: string;
  network: string | null;
  /** Decimals used when generating synthetic quantities. */
  decimals: number;
}

/** Major assets known to the bundled price series and the sandbox. */
export const MAJOR_ASSETS: readonly AssetInfo[] = [
  { asset_id: 'bitcoin', symbol: 'BTC', name: 'Bitcoin', network: 'bitcoin', decimals: 8 },
  { asset_id: 'ethereum', symbol: 'ETH', name: 'Ether', network: 'ethereum', decimals: 18 },
  { asset_id: 'ethereum:0xdac17f958d2ee523a2206206994597c13d831ec7', symbol: 'USDT', name: 'Tether USD', network: 'ethereum', decimals: 6 },
  { asset_id: 'ethereum:0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', symbol: 'USDC', name: 'USD Coin', network: 'ethereum', decimals: 6 },
  { asset_id: 'solana', symbol: 'SOL', name: 'Solana', network: 'solana', decimals: 9 },
  { asset_id: 'binancecoin', symbol: 'BNB', name: 'BNB', network: 'bnb', decimals: 18 },
  { asset_id: 'ripple', symbol: 'XRP', name: 'XRP', network: null, decimals: 6 },
  { asset_id: 'cardano', symbol: 'ADA', name: 'Cardano', network: null, decimals: 6 },
  { asset_id: 'dogecoin', symbol: 'DOGE', name: 'Dogecoin', network: null, decimals: 8 },
  { asset_id: 'avalanche-2', symbol: 'AVAX', name: 'Avalanche', network: 'avalanche', decimals: 18 },
  { asset_id: 'polkadot', symbol: 'DOT', name: 'Polkadot', network: null, decimals: 10 },
  { asset_id: 'tron', symbol: 'TRX', name: 'TRON', network: null, decimals: 6 },
  { asset_id: 'ethereum:0x514910771af9ca656af840dff83e8264ecf986ca', symbol: 'LINK', name: 'Chainlink', network: 'ethereum', decimals: 18 },
  { asset_id: 'polygon-ecosystem-token', symbol: 'POL', name: 'Polygon', network: 'polygon', decimals: 18 },
  { asset_id: 'litecoin', symbol: 'LTC', name: 'Litecoin', network: null, decimals: 8 },
  { asset_id: 'ethereum:0x1f9840a85d5af5bf1d1762f925bdaddc4201f984', symbol: 'UNI', name: 'Uniswap', network: 'ethereum', decimals: 18 },
  { asset_id: 'cosmos', symbol: 'ATOM', name: 'Cosmos Hub', network: null, decimals: 6 },
  { asset_id: 'stellar', symbol: 'XLM', name: 'Stellar', network: null, decimals: 7 },
  { asset_id: 'ethereum:0x6b175474e89094c44da98b954eedeac495271d0f', symbol: 'DAI', name: 'Dai', network: 'ethereum', decimals: 18 },
  { asset_id: 'arbitrum', symbol: 'ARB', name: 'Arbitrum', network: 'arbitrum', decimals: 18 },
  { asset_id: 'optimism', symbol: 'OP', name: 'Optimism', network: 'optimism', decimals: 18 },
];

const BY_ID = new Map(MAJOR_ASSETS.map((a) => [a.asset_id, a]));
export function findAsset(assetId: string): AssetInfo | undefined {
  return BY_ID.get(assetId);
}
