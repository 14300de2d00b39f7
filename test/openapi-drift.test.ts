/**
 * The committed `openapi.json` must be exactly the document the server serves. This test fails as
 * soon as a route or schema changes without regenerating it: after changing routes, run
 *
 *   npm run build && npm run openapi
 *
 * and commit `openapi.json` with the change (reviewers then see the API change in the diff).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { forEachDialect } from './support/harness.js';
import { buildOpenApiDocument } from '../src/cli/openapi.command.js';

const committed = JSON.parse(readFileSync(fileURLToPath(new URL('../openapi.json', import.meta.url)), 'utf8')) as unknown;
const REGENERATE = 'openapi.json is stale: run `npm run build && npm run openapi` and commit openapi.json';

describe('committed openapi.json', () => {
  forEachDialect((env) => {
    it('equals the document the server serves', async () => {
      const res = await env().app.inject({ method: 'GET', url: '/openapi.json' });
      expect(res.statusCode).toBe(200);
      expect(res.json(), REGENERATE).toEqual(committed);
    });
  });

  it('equals what `tortie openapi` prints (no configuration leaks into the document)', async () => {
    expect(await buildOpenApiDocument(), REGENERATE).toEqual(committed);
  });
});
