/**
 * Runs the HTTP server until SIGINT or SIGTERM (shared by `serve` and `start`): a signing key is
 * ensured, JSON log lines go to stderr (stdout stays for what the command prints), and a signal
 * closes the server gracefully — in-flight requests finish, idle connections close. A second
 * signal exits at once.
 */
import type { Container } from '../container.js';
import { buildApp } from '../http/app.js';
import { loggerOptions } from '../http/logger.js';

export interface ServeOptions {
  /** Called once the server listens, with the URL it listens on. */
  onListening(url: string): void;
  /** Where the JSON log lines go (default stderr). */
  logStream?: { write(line: string): void };
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export async function serveUntilSignal(c: Container, o: ServeOptions): Promise<void> {
  await c.tokens.ensureSigningKey();
  const app = await buildApp(c, { logger: loggerOptions(c.config.logLevel, o.logStream ?? process.stderr) });
  const url = await app.listen({ host: c.config.host, port: c.config.port });
  o.onListening(url);
  await new Promise<void>((resolve, reject) => {
    let closing = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (closing) {
        app.log.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(1);
      }
      closing = true;
      app.log.info({ signal }, 'shutting down');
      app.close().then(
        () => {
          for (const s of SIGNALS) process.off(s, onSignal);
          resolve();
        },
        (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))),
      );
    };
    for (const s of SIGNALS) process.on(s, onSignal);
  });
}
