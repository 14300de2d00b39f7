/**
 * Wallet addresses checked as they are typed, before anything is sent: EVM addresses by EIP-55
 * checksum (all-lowercase accepted, as the checksum is optional there), Bitcoin by base58check or
 * bech32/bech32m, Solana by base58 decoding to 32 bytes. The server checks again.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base58, bech32, bech32m, createBase58check } from '@scure/base';

const EVM_NETWORKS = new Set(['ethereum', 'polygon', 'arbitrum', 'optimism', 'base', 'bnb', 'avalanche']);
const base58check = createBase58check(sha256);

export type AddressKind = 'evm' | 'bitcoin' | 'solana' | 'other';

export function addressKind(networks: string[]): AddressKind {
  if (networks.some((n) => EVM_NETWORKS.has(n))) return 'evm';
  if (networks.includes('bitcoin')) return 'bitcoin';
  if (networks.includes('solana')) return 'solana';
  return 'other';
}

/** EIP-55: a mixed-case address must match its checksum; all-lowercase or all-uppercase hex passes. */
export function evmProblem(a: string): string | null {
  if (!/^0x[0-9a-fA-F]{40}$/.test(a)) return 'An address is 0x followed by 40 hexadecimal characters.';
  const hex = a.slice(2);
  if (hex === hex.toLowerCase() || hex === hex.toUpperCase()) return null;
  const hash = keccak_256(new TextEncoder().encode(hex.toLowerCase()));
  for (let i = 0; i < 40; i++) {
    const nibble = ((hash[i >> 1] ?? 0) >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    const c = hex[i]!;
    if (/[a-f]/i.test(c) && (nibble >= 8 ? c !== c.toUpperCase() : c !== c.toLowerCase())) return 'The checksum (the mix of capital letters) does not match: check for a typo, or paste it again.';
  }
  return null;
}

export function bitcoinProblem(a: string): string | null {
  if (/^(bc1|tb1|bcrt1)/i.test(a)) {
    for (const codec of [bech32, bech32m]) {
      try {
        codec.decode(a.toLowerCase() as `${string}1${string}`);
        return null;
      } catch {
        /* try the other encoding */
      }
    }
    return 'This bc1 address does not check out: look for a typo.';
  }
  if (!/^[123mn][1-9A-HJ-NP-Za-km-z]{25,34}$/.test(a)) return 'A Bitcoin address starts with 1, 3 or bc1.';
  try {
    return base58check.decode(a).length === 21 ? null : 'This is not a Bitcoin address.';
  } catch {
    return 'This address does not check out: look for a typo.';
  }
}

export function solanaProblem(a: string): string | null {
  try {
    return base58.decode(a).length === 32 ? null : 'A Solana address is 32 bytes in base58 (32 to 44 characters).';
  } catch {
    return 'A Solana address uses only base58 characters (no 0, O, I or l).';
  }
}

/** The first problem among the addresses typed (separated by spaces, commas or new lines), or null. */
export function addressesProblem(kind: AddressKind, text: string): string | null {
  const list = text.split(/[\s,]+/).filter(Boolean);
  if (!list.length) return 'Enter a wallet address.';
  const check = kind === 'evm' ? evmProblem : kind === 'bitcoin' ? bitcoinProblem : kind === 'solana' ? solanaProblem : () => null;
  for (const a of list) {
    const p = check(a);
    if (p) return list.length > 1 ? `${a.slice(0, 14)}…: ${p}` : p;
  }
  return null;
}
