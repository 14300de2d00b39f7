/**
 * AES-256-GCM envelope for secrets at rest (exchange credentials, signing keys).
 * Format: `v1.<key id>.<iv b64url>.<ciphertext b64url>.<tag b64url>`. The key id lets keys rotate:
 * old envelopes stay readable while new ones use the newest key. The AAD binds a ciphertext to the
 * row it belongs to (an account id), so a ciphertext copied to another row does not decrypt.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

export interface SecretKey {
  /** Short stable id derived from the key material. */
  id: string;
  key: Buffer;
}

export function secretKeyFromBase64(b64: string): SecretKey {
  const key = Buffer.from(b64, 'base64');
  if (key.length !== 32) throw new Error('TORTIE_SECRET_KEY must be 32 bytes, base64-encoded');
  const id = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  return { id, key };
}

export class CryptoEnvelope {
  private readonly byId: Map<string, SecretKey>;
  constructor(private readonly current: SecretKey, older: SecretKey[] = []) {
    this.byId = new Map([current, ...older].map((k) => [k.id, k]));
  }

  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.current.key, iv);
    c.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return ['v1', this.current.id, iv.toString('base64url'), ct.toString('base64url'), c.getAuthTag().toString('base64url')].join('.');
  }

  open(envelope: string, aad: string): string {
    const [v, kid, iv, ct, tag] = envelope.split('.');
    if (v !== 'v1' || !kid || iv === undefined || ct === undefined || tag === undefined) throw new Error('crypto envelope: malformed');
    const k = this.byId.get(kid);
    if (!k) throw new Error(`crypto envelope: unknown key id ${kid}`);
    const d = createDecipheriv('aes-256-gcm', k.key, Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
  }

  /** A sub-key for a purpose (cursor signing, CSRF), derived from the current secret. */
  deriveKey(purpose: string): Buffer {
    return createHmac('sha256', this.current.key).update(`tortie:${purpose}`).digest();
  }
}
