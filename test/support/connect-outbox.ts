/** Reads sign-in codes from the outbox Connect writes to when SMTP_URL is not set. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The 6-digit code of the newest mail to `email` in `<dataDir>/outbox`, or undefined. */
export function latestCode(dataDir: string, email: string): string | undefined {
  const dir = join(dataDir, 'outbox');
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
  for (const f of files.reverse()) {
    const mail = readFileSync(join(dir, f), 'utf8');
    if (!mail.includes(`\r\nTo: ${email}\r\n`)) continue;
    return /sign-in code is (\d{6})/.exec(mail)?.[1];
  }
  return undefined;
}
