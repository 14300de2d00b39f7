/**
 * Bitcoin address checks and extended-public-key derivation (pure, no network): addresses are
 * checked with @scure/btc-signer (base58check or bech32/bech32m checksum, mainnet only); an
 * xpub / ypub / zpub is read with @scure/bip32 and its version prefix picks the address type
 * (BIP44 P2PKH, BIP49 P2SH-P2WPKH, BIP84 P2WPKH). The key is taken as an account key: receive
 * addresses are `0/i`, change addresses `1/i`.
 */
import { HDKey } from '@scure/bip32';
import { Address, NETWORK, p2pkh, p2sh, p2wpkh } from '@scure/btc-signer';
import type { ScriptKind } from './bitcoin.types.js';

/** Version bytes of mainnet extended public keys (SLIP-132), with their private counterparts. */
const VERSIONS: Record<string, { kind: ScriptKind; versions: { public: number; private: number } }> = {
  xpub: { kind: 'p2pkh', versions: { public: 0x0488b21e, private: 0x0488ade4 } },
  ypub: { kind: 'p2sh-p2wpkh', versions: { public: 0x049d7cb2, private: 0x049d7878 } },
  zpub: { kind: 'p2wpkh', versions: { public: 0x04b24746, private: 0x04b2430c } },
};

/** The canonical form of a mainnet address (bech32 lowercased), or null when its checksum or form is wrong. */
export function parseBitcoinAddress(a: string): string | null {
  const s = a.trim();
  const canonical = /^(bc1)/i.test(s) ? s.toLowerCase() : s;
  if (/^bc1/i.test(s) && s !== s.toLowerCase() && s !== s.toUpperCase()) return null; // bech32 forbids mixed case
  try {
    Address(NETWORK).decode(canonical);
    return canonical;
  } catch {
    return null;
  }
}

export interface ExtendedKey {
  kind: ScriptKind;
  key: HDKey;
}

/** Reads an xpub/ypub/zpub; null when it is malformed, private, or for another network. */
export function parseExtendedKey(x: string): ExtendedKey | null {
  const s = x.trim();
  const v = VERSIONS[s.slice(0, 4)];
  if (!v) return null;
  try {
    const key = HDKey.fromExtendedKey(s, v.versions);
    if (key.privateKey) return null;
    return { kind: v.kind, key };
  } catch {
    return null;
  }
}

/** The address at `chain/index` (chain 0 = receive, 1 = change) of an account key. */
export function deriveAddress(x: ExtendedKey, chain: 0 | 1, index: number): string {
  const pub = x.key.deriveChild(chain).deriveChild(index).publicKey;
  if (!pub) throw new Error('extended key without a public key');
  const pay = x.kind === 'p2pkh' ? p2pkh(pub) : x.kind === 'p2wpkh' ? p2wpkh(pub) : p2sh(p2wpkh(pub));
  if (!pay.address) throw new Error('no address for derived key');
  return pay.address;
}
