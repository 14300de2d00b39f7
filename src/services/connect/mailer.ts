/**
 * Outgoing mail of Connect (sign-in codes). Two implementations of one port: SMTP when `SMTP_URL`
 * is set, otherwise an outbox — each mail written as one `.eml` file under `outbox/` in the data
 * directory and to the log — so the demo and the tests work offline.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends one mail; rejects when it could not be handed over. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

export const MAIL_FROM = 'Tortie Connect <no-reply@tortie.invalid>';

/** Writes each mail to `<dataDir>/outbox/<time>-<random>.eml` and logs it. */
export class OutboxMailer implements Mailer {
  constructor(
    private readonly dataDir: string,
    private readonly clock: Clock,
    private readonly log: (message: string, data: Record<string, unknown>) => void = (message, data) =>
      process.stderr.write(JSON.stringify({ level: 'info', time: new Date(clock.now()).toISOString(), msg: message, ...data }) + '\n'),
  ) {}

  async send(mail: Mail): Promise<void> {
    const dir = join(this.dataDir, 'outbox');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stamp = new Date(this.clock.now()).toISOString().replace(/[:.]/g, '-');
    const file = join(dir, `${stamp}-${randomBytes(4).toString('hex')}.eml`);
    const eml = [`From: ${MAIL_FROM}`, `To: ${mail.to}`, `Subject: ${mail.subject}`, `Date: ${new Date(this.clock.now()).toUTCString()}`, 'Content-Type: text/plain; charset=utf-8', '', mail.text, ''].join('\r\n');
    writeFileSync(file, eml, { mode: 0o600 });
    this.log('mail written to the outbox (SMTP_URL is not set)', { to: mail.to, subject: mail.subject, text: mail.text, file });
  }
}

/** Sends through the SMTP server of `SMTP_URL` (smtp:// or smtps://, credentials in the URL). */
export class SmtpMailer implements Mailer {
  private transport: Promise<{ sendMail(m: { from: string; to: string; subject: string; text: string }): Promise<unknown> }> | null = null;
  constructor(private readonly smtpUrl: string) {}

  async send(mail: Mail): Promise<void> {
    this.transport ??= import('nodemailer').then((m) => m.default.createTransport(this.smtpUrl));
    await (await this.transport).sendMail({ from: MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text });
  }
}
