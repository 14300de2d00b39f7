/**
 * How a command gets the application: the container built from configuration, with the database's
 * migrations either applied (`serve`, `start`, `demo`, `worker`: SPEC §11) or required to be
 * current (every other command, so a command never changes the schema behind an operator's back).
 */
import { createContainer, type Container } from '../container.js';
import { AppError } from '../domain/errors.js';
import type { CommandContext } from './command.js';

export interface OpenContainerOptions {
  /** `apply`: run pending migrations first; `require`: fail when any is pending. */
  migrations: 'apply' | 'require';
}

/** Runs `fn` with a container and closes it afterwards, whatever happens. */
export async function withContainer<T>(ctx: CommandContext, o: OpenContainerOptions, fn: (c: Container) => Promise<T>): Promise<T> {
  const c = await openContainer(ctx, o);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

/** A container whose database is migrated; the caller closes it. */
export async function openContainer(ctx: CommandContext, o: OpenContainerOptions): Promise<Container> {
  const c = createContainer(ctx.config());
  try {
    if (o.migrations === 'apply') {
      await c.dbh.migrate();
    } else {
      const pending = await c.dbh.pendingMigrations();
      if (pending.length) throw new AppError('service_unavailable', `The database has pending migrations (${pending.join(', ')}); run \`tortie migrate\` first`);
    }
    return c;
  } catch (e) {
    await c.close();
    throw e;
  }
}
