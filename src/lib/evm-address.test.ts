import { describe, expect, it } from 'vitest';
import { getAddress, isAddress } from 'viem';
import { checksumEvmAddress, isEvmAddress } from './evm-address.js';
import { Prng } from './prng.js';

const CHECKSUMMED = [
  // EIP-55's own examples
  '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
  '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
  '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
  '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
];

describe('isEvmAddress', () => {
  it('accepts EIP-55 checksums and all-lowercase addresses, and refuses a broken checksum', () => {
    for (const a of CHECKSUMMED) {
      expect(checksumEvmAddress(a.toLowerCase())).toBe(a);
      expect(isEvmAddress(a)).toBe(true);
      expect(isEvmAddress(a.toLowerCase())).toBe(true);
      const i = a.slice(2).search(/[a-fA-F]/) + 2; // one letter's case flipped breaks the checksum
      const flipped = a.slice(0, i) + (a[i] === a[i]!.toLowerCase() ? a[i]!.toUpperCase() : a[i]!.toLowerCase()) + a.slice(i + 1);
      expect(isEvmAddress(flipped)).toBe(false);
    }
    for (const bad of ['', '0x', '5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae', '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaedd', '0X5aaeb6053f3e94c9b9a09f33669435e7ef1beaed', '0xgaaeb6053f3e94c9b9a09f33669435e7ef1beaed']) {
      expect(isEvmAddress(bad)).toBe(false);
    }
  });

  it('agrees with viem’s strict isAddress on random addresses in every casing', () => {
    const prng = Prng.from('evm-address');
    for (let n = 0; n < 300; n++) {
      const hex = Array.from({ length: 40 }, () => '0123456789abcdef'[prng.int(0, 15)]).join('');
      const lower = `0x${hex}`;
      const upper = `0x${hex.toUpperCase()}`;
      const mixed = `0x${[...hex].map((c) => (prng.int(0, 1) ? c.toUpperCase() : c)).join('')}`;
      expect(checksumEvmAddress(lower)).toBe(getAddress(lower));
      for (const a of [lower, upper, mixed, getAddress(lower)]) expect(isEvmAddress(a), a).toBe(isAddress(a, { strict: true }));
    }
  });
});
