/**
 * Slow hashing of client secrets (Argon2id). The secret itself is never stored. The native
 * library is loaded on first use (a token request, a client's creation), not at start-up: tens of
 * milliseconds of a server's start to its first answer (issue #5).
 */
let argon2: Promise<typeof import('@node-rs/argon2')> | undefined;
const library = () => (argon2 ??= import('@node-rs/argon2'));

export async function hashSecret(secret: string): Promise<string> {
  return (await library()).hash(secret, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
}

export async function verifySecret(hashed: string, secret: string): Promise<boolean> {
  const { verify } = await library();
  try {
    return await verify(hashed, secret);
  } catch {
    return false;
  }
}
