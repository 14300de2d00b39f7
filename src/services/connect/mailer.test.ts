/**
 * Both mailers: the outbox writes one .eml file per mail; SMTP hands the mail to the server named
 * by SMTP_URL (here a minimal SMTP server on 127.0.0.1 that records what it receives).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/clock.js';
import { OutboxMailer, SmtpMailer } from './mailer.js';

const MAIL = { to: 'ada@example.com', subject: 'Your sign-in code: 123456', text: 'Your Tortie Connect sign-in code is 123456\n' };

describe('mailers', () => {
  it('the outbox writes one file per mail and logs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tortie-outbox-'));
    const logged: Record<string, unknown>[] = [];
    const m = new OutboxMailer(dir, new TestClock(Date.parse('2026-06-15T12:00:00.000Z')), (_msg, data) => logged.push(data));
    await m.send(MAIL);
    await m.send({ ...MAIL, to: 'bob@example.com' });
    const files = readdirSync(join(dir, 'outbox'));
    expect(files).toHaveLength(2);
    const first = readFileSync(join(dir, 'outbox', files.find((f) => readFileSync(join(dir, 'outbox', f), 'utf8').includes('To: ada@'))!), 'utf8');
    expect(first).toContain('\r\nTo: ada@example.com\r\n');
    expect(first).toContain('\r\nSubject: Your sign-in code: 123456\r\n');
    expect(first).toContain('sign-in code is 123456');
    expect(logged.map((l) => l.to)).toEqual(['ada@example.com', 'bob@example.com']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('SMTP delivers to the server of SMTP_URL', async () => {
    const received: { from: string; to: string[]; data: string }[] = [];
    const server = createServer((socket: Socket) => {
      let buffer = '';
      let inData = false;
      let current = { from: '', to: [] as string[], data: '' };
      socket.write('220 test ESMTP\r\n');
      socket.on('data', (chunk) => {
        buffer += chunk.toString('utf8');
        for (;;) {
          if (inData) {
            const end = buffer.indexOf('\r\n.\r\n');
            if (end < 0) return;
            current.data = buffer.slice(0, end);
            buffer = buffer.slice(end + 5);
            inData = false;
            received.push(current);
            current = { from: '', to: [], data: '' };
            socket.write('250 OK queued\r\n');
            continue;
          }
          const nl = buffer.indexOf('\r\n');
          if (nl < 0) return;
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 2);
          const cmd = line.slice(0, 4).toUpperCase();
          if (cmd === 'EHLO' || cmd === 'HELO') socket.write('250 test\r\n');
          else if (cmd === 'MAIL') (current.from = line), socket.write('250 OK\r\n');
          else if (cmd === 'RCPT') current.to.push(line), socket.write('250 OK\r\n');
          else if (cmd === 'DATA') (inData = true), socket.write('354 go on\r\n');
          else if (cmd === 'QUIT') socket.end('221 bye\r\n');
          else socket.write('250 OK\r\n');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    const port = typeof a === 'object' && a ? a.port : 0;
    try {
      await new SmtpMailer(`smtp://127.0.0.1:${port}`).send(MAIL);
      expect(received).toHaveLength(1);
      expect(received[0]!.to).toEqual(['RCPT TO:<ada@example.com>']);
      expect(received[0]!.from).toContain('no-reply@tortie.invalid');
      expect(received[0]!.data).toContain('Subject: Your sign-in code: 123456');
      expect(received[0]!.data).toContain('sign-in code is 123456');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
