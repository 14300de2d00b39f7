/**
 * The supported EVM chains (SPEC §2 provider ids), each with its native coin's asset id
 * (src/domain/assets.ts) and a small built-in list of major ERC-20 contracts whose balances are
 * always read. Plain data: the provider catalogue reads it without loading the connector (viem).
 */
import type { EvmChainConfig } from './evm.types.js';

const ETH = { asset_id: 'ethereum', symbol: 'ETH', name: 'Ether', decimals: 18 };

/** The supported EVM chains. Token addresses are lowercase. */
export const EVM_CHAINS: Record<string, EvmChainConfig> = {
  ethereum: {
    providerId: 'ethereum',
    chainId: 1,
    native: ETH,
    tokens: [
      '0xdac17f958d2ee523a2206206994597c13d831ec7', // USDT
      '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', // USDC
      '0x6b175474e89094c44da98b954eedeac495271d0f', // DAI
      '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', // WETH
      '0x2260fac5e5542a773aa44fbcfedf7c193bc2c599', // WBTC
      '0x514910771af9ca656af840dff83e8264ecf986ca', // LINK
      '0x1f9840a85d5af5bf1d1762f925bdaddc4201f984', // UNI
    ],
  },
  polygon: {
    providerId: 'polygon',
    chainId: 137,
    native: { asset_id: 'polygon-ecosystem-token', symbol: 'POL', name: 'Polygon', decimals: 18 },
    tokens: [
      '0x3c499c542cef5e3811e1192ce70d8cc03d5c3359', // USDC
      '0x2791bca1f2de4661ed88a30c99a7a9449aa84174', // USDC.e
      '0xc2132d05d31c914a87c6611c10748aeb04b58e8f', // USDT
      '0x7ceb23fd6bc0add59e62ac25578270cff1b9f619', // WETH
      '0x8f3cf7ad23cd3cadbd9735aff958023239c6a063', // DAI
    ],
  },
  arbitrum: {
    providerId: 'arbitrum',
    chainId: 42161,
    native: ETH,
    tokens: [
      '0xaf88d065e77c8cc2239327c5edb3a432268e5831', // USDC
      '0xfd086bc7cd5c481dcc9c85ebe478a1c0b69fcbb9', // USDT
      '0x82af49447d8a07e3bd95bd0d56f35241523fbab1', // WETH
      '0x912ce59144191c1204e64559fe8253a0e49e6548', // ARB
    ],
  },
  optimism: {
    providerId: 'optimism',
    chainId: 10,
    native: ETH,
    tokens: [
      '0x0b2c639c533813f4aa9d7837caf62653d097ff85', // USDC
      '0x94b008aa00579c1307b0ef2c499ad98a8ce58e58', // USDT
      '0x4200000000000000000000000000000000000006', // WETH
      '0x4200000000000000000000000000000000000042', // OP
    ],
  },
  base: {
    providerId: 'base',
    chainId: 8453,
    native: ETH,
    tokens: [
      '0x833589fcd6edb6e08f4c7c32d4f71b54bda02913', // USDC
      '0x4200000000000000000000000000000000000006', // WETH
      '0x50c5725949a6f0c72e6c4a641f24049a917db0cb', // DAI
    ],
  },
  bnb: {
    providerId: 'bnb',
    chainId: 56,
    native: { asset_id: 'binancecoin', symbol: 'BNB', name: 'BNB', decimals: 18 },
    tokens: [
      '0x55d398326f99059ff775485246999027b3197955', // USDT (BSC-USD)
      '0x8ac76a51cc950d9822d68b83fe1ad97b32cd580d', // USDC
      '0xbb4cdb9cbd36b01bd1cbaebf2de08d9173bc095c', // WBNB
    ],
  },
  avalanche: {
    providerId: 'avalanche',
    chainId: 43114,
    native: { asset_id: 'avalanche-2', symbol: 'AVAX', name: 'Avalanche', decimals: 18 },
    tokens: [
      '0xb97ef9ef8734c71904d8002f8b6bc66dd9c48a6e', // USDC
      '0x9702230a8ea53601f5cd2dc00fdbc13d4df4a8c7', // USDT
      '0xb31f66aa3c1e785363f0875a1b74e27b85fd66c7', // WAVAX
    ],
  },
};
