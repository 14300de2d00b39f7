/** Slow hashing of client secrets (Argon2id). The secret itself is never stored. */
import { hash, verify } from '@node-rs/argon2';

export function hashSecret(secret: string): Promise<string> {
  return hash(secret, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
}

export async function verifySecret(hashed: string, secret: string): Promise<boolean> {
  try {
    return await verify(hashed, secret);
  } catch {
    return false;
  }
}
