/**
 * Plausible-looking public addresses and transaction hashes for synthetic records, in each network's
 * usual format (EVM `0x…` hex, bech32 `bc1q…`, base58). Random, never a real key's address.
 */
import type { AssetInfo } from '../domain/assets.js';
import type { Prng } from '../lib/prng.js';

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function chars(rng: Prng, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[rng.nextUint32() % alphabet.length];
  return s;
}

const EVM_NETWORKS = new Set(['ethereum', 'polygon', 'arbitrum', 'optimism', 'base', 'bnb', 'avalanche']);

export function evmAddress(rng: Prng): string {
  return `0x${rng.hex(40)}`;
}

/** An address on the asset's network (EVM assets share the 0x format); null when the format is not modelled. */
export function addressFor(asset: AssetInfo, rng: Prng): string | null {
  if (asset.network && EVM_NETWORKS.has(asset.network)) return evmAddress(rng);
  switch (asset.network ?? asset.asset_id) {
    case 'bitcoin':
      return `bc1q${chars(rng, BECH32, 38)}`;
    case 'solana':
      return chars(rng, BASE58, 44);
    case 'litecoin':
      return `ltc1q${chars(rng, BECH32, 38)}`;
    case 'dogecoin':
      return `D${chars(rng, BASE58, 33)}`;
    case 'ripple':
      return `r${chars(rng, BASE58, 33)}`;
    case 'cardano':
      return `addr1q${chars(rng, BECH32, 57)}`;
    case 'polkadot':
      return `1${chars(rng, BASE58, 47)}`;
    case 'tron':
      return `T${chars(rng, BASE58, 33)}`;
    case 'stellar':
      return `G${chars(rng, BASE32, 55)}`;
    case 'cosmos':
      return `cosmos1${chars(rng, BECH32, 38)}`;
    default:
      return null;
  }
}

/** A transaction hash in the network's usual format. */
export function txHashFor(asset: AssetInfo, rng: Prng): string {
  if (asset.network && EVM_NETWORKS.has(asset.network)) return `0x${rng.hex(64)}`;
  if (asset.network === 'solana') return chars(rng, BASE58, 88);
  return rng.hex(64);
}
