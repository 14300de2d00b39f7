/**
 * The assets the sandbox providers hold, per kind of source, and the two deliberately UNPRICED
 * tokens (no synthetic price exists for them) that make `unpriced_assets` visible in the demo.
 */
import { findAsset, fiatAssetId, type AssetInfo } from '../domain/assets.js';

export const SANDBOX_PROVIDERS = ['sandbox-exchange', 'sandbox-custodian', 'sandbox-wallet'] as const;
export type SandboxProviderId = (typeof SANDBOX_PROVIDERS)[number];

const ETH = 'ethereum';
const USDT = 'ethereum:0xdac17f958d2ee523a2206206994597c13d831ec7';
const USDC = 'ethereum:0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48';
const DAI = 'ethereum:0x6b175474e89094c44da98b954eedeac495271d0f';
const LINK = 'ethereum:0x514910771af9ca656af840dff83e8264ecf986ca';
const UNI = 'ethereum:0x1f9840a85d5af5bf1d1762f925bdaddc4201f984';

/** An ERC-20 token nobody prices: held by sandbox wallets after an airdrop. */
export const UNPRICED_WALLET_TOKEN: AssetInfo = {
  asset_id: 'ethereum:0x7047d1c2b5e0a3f4c9e8d7b6a5f4e3d2c1b0a9f8',
  symbol: 'TORTIE',
  name: 'Tortie Community Token (sandbox)',
  network: 'ethereum',
  decimals: 18,
};

/** An exchange asset the sandbox exchange cannot resolve to a known id (kept as the source spells it). */
export const UNPRICED_EXCHANGE_TOKEN: AssetInfo = {
  asset_id: 'sandbox-exchange:MOONX',
  symbol: 'MOONX',
  name: 'MOONX',
  network: null,
  decimals: 8,
};

const FIAT_NAMES: Record<string, string> = { USD: 'US Dollar', EUR: 'Euro', GBP: 'Pound Sterling', CHF: 'Swiss Franc', CAD: 'Canadian Dollar' };

/** Fiat currencies sandbox exchange and custodian accounts are funded in. */
export const HOME_FIATS = ['USD', 'EUR', 'GBP', 'CHF', 'CAD'] as const;

export function fiatInfo(code: string): AssetInfo {
  return { asset_id: fiatAssetId(code), symbol: code, name: FIAT_NAMES[code] ?? code, network: null, decimals: 2 };
}

function major(id: string): AssetInfo {
  const a = findAsset(id);
  if (!a) throw new Error(`sandbox: unknown asset ${id}`);
  return a;
}

export interface KindAssets {
  /** Crypto assets the source lists (deposits, trades, withdrawals). */
  crypto: readonly AssetInfo[];
  /** Assets rewarded by staking on this source. */
  stakable: readonly AssetInfo[];
  /** Assets that arrive by airdrop. */
  airdrops: readonly AssetInfo[];
  /** Decimals the source reports quantities with (wallets report full on-chain precision). */
  maxDecimals: number;
}

export const EXCHANGE_ASSETS: KindAssets = {
  crypto: ['bitcoin', ETH, 'solana', 'ripple', 'cardano', 'dogecoin', 'avalanche-2', 'polkadot', 'litecoin', LINK, USDT, USDC, 'tron', 'stellar', 'cosmos', 'binancecoin', 'polygon-ecosystem-token', UNI].map(major),
  stakable: [ETH, 'solana', 'cardano', 'polkadot', 'cosmos', 'tron'].map(major),
  airdrops: [...['arbitrum', 'optimism'].map(major), UNPRICED_EXCHANGE_TOKEN],
  maxDecimals: 8,
};

export const CUSTODIAN_ASSETS: KindAssets = {
  crypto: ['bitcoin', ETH, USDC, USDT, 'litecoin', 'solana', 'ripple'].map(major),
  stakable: [ETH, 'solana'].map(major),
  airdrops: [],
  maxDecimals: 8,
};

export const WALLET_ASSETS: KindAssets = {
  crypto: [ETH, USDC, USDT, DAI, LINK, UNI].map(major),
  stakable: [major(ETH)],
  airdrops: [major(UNI), UNPRICED_WALLET_TOKEN],
  maxDecimals: 18,
};

/** Coins a custodian credits from mining pool payouts. */
export const MINED_ASSETS: readonly AssetInfo[] = ['bitcoin', 'litecoin', 'dogecoin'].map(major);
/** Assets a custodian pays interest on (besides fiat). */
export const INTEREST_ASSETS: readonly AssetInfo[] = [USDC, USDT, 'bitcoin', ETH].map(major);

export const ETHER: AssetInfo = major(ETH);

export function assetsOf(provider: SandboxProviderId): KindAssets {
  return provider === 'sandbox-exchange' ? EXCHANGE_ASSETS : provider === 'sandbox-custodian' ? CUSTODIAN_ASSETS : WALLET_ASSETS;
}
