/**
 * EVM address checks without an EVM library, for code that runs in the API process (Connect
 * checks a typed address before anything else), where viem is not loaded (issue #5). The rule is
 * viem's `isAddress(a, { strict: true })`: `0x` and 40 hexadecimal characters; an all-lowercase
 * address carries no checksum; any other casing must be the EIP-55 checksum.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';

const ADDRESS_RE = /^0x[a-fA-F0-9]{40}$/;

/** The EIP-55 checksummed form of a well-formed address, whatever its casing. */
export function checksumEvmAddress(address: string): string {
  const hex = address.slice(2).toLowerCase();
  const hash = keccak_256(new TextEncoder().encode(hex));
  let out = '0x';
  for (let i = 0; i < hex.length; i++) {
    // the i-th hexadecimal digit of the hash: the high nibble of byte i/2 for even i, the low one for odd
    const nibble = i % 2 === 0 ? hash[i >> 1]! >> 4 : hash[i >> 1]! & 0x0f;
    out += nibble >= 8 ? hex[i]!.toUpperCase() : hex[i]!;
  }
  return out;
}

/** True for a well-formed address that is all lowercase or carries a correct EIP-55 checksum. */
export function isEvmAddress(address: string): boolean {
  if (!ADDRESS_RE.test(address)) return false;
  return address.toLowerCase() === address || checksumEvmAddress(address) === address;
}
