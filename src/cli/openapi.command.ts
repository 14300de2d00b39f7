/**
 * `tortie openapi`: prints the OpenAPI document the server serves at /openapi.json, built from the
 * route schemas without touching any configured database (an in-memory one stands in). `npm run
 * openapi` writes it to the committed `openapi.json`; a test fails when the two differ.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config.js';
import { createContainer } from '../container.js';
import { buildApp } from '../http/app.js';
import type { Command } from './command.js';
import { expectNoPositionals } from './args.js';

export async function buildOpenApiDocument(): Promise<unknown> {
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', TORTIE_SECRET_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent' });
  const c = createContainer(config);
  try {
    const app = await buildApp(c);
    await app.ready();
    const doc = app.swagger();
    await app.close();
    return doc;
  } finally {
    await c.close();
  }
}

export const openapiCommand: Command = {
  path: ['openapi'],
  usage: 'openapi',
  options: {},
  async run(_ctx, _values, positionals) {
    expectNoPositionals(this, positionals);
    return buildOpenApiDocument();
  },
  human(result) {
    return JSON.stringify(result, null, 2) + '\n';
  },
};
