/** Connect's as-you-type wallet address checks (connect/src/addresses.ts), on known vectors. */
import { describe, expect, it } from 'vitest';
import { addressKind, addressesProblem, bitcoinProblem, evmProblem, solanaProblem } from '../connect/src/addresses.js';

describe('Connect address checks', () => {
  it('EVM: EIP-55 checksums; all-lowercase and all-uppercase hex accepted', () => {
    expect(evmProblem('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed')).toBeNull();
    expect(evmProblem('0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359')).toBeNull();
    expect(evmProblem('0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed')).toBeNull();
    expect(evmProblem('0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED')).toBeNull();
    expect(evmProblem('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')).toMatch(/checksum/);
    expect(evmProblem('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA')).toMatch(/40 hexadecimal/);
    expect(evmProblem('5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed')).toMatch(/40 hexadecimal/);
  });

  it('Bitcoin: base58check (1…, 3…) and bech32/bech32m (bc1…)', () => {
    expect(bitcoinProblem('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa')).toBeNull();
    expect(bitcoinProblem('3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy')).toBeNull();
    expect(bitcoinProblem('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq')).toBeNull();
    expect(bitcoinProblem('bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297')).toBeNull();
    expect(bitcoinProblem('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb')).toMatch(/typo/);
    expect(bitcoinProblem('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx')).toMatch(/typo/);
    expect(bitcoinProblem('0xabc')).toMatch(/starts with 1, 3 or bc1/);
  });

  it('Solana: base58 of 32 bytes', () => {
    expect(solanaProblem('11111111111111111111111111111111')).toBeNull();
    expect(solanaProblem('So11111111111111111111111111111111111111112')).toBeNull();
    expect(solanaProblem('So1111111111111111111111111111111111111111')).toMatch(/32 bytes/);
    expect(solanaProblem('0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl')).toMatch(/base58/);
  });

  it('several addresses: the first problem names the address', () => {
    expect(addressKind(['polygon'])).toBe('evm');
    expect(addressesProblem('evm', '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')).toMatch(/^0x5aAeb6053F3E…: .*checksum/);
    expect(addressesProblem('bitcoin', '')).toBe('Enter a wallet address.');
  });
});
