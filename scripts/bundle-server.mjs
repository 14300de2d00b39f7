#!/usr/bin/env node
/**
 * Build step after tsc and bundle-esm-deps.mjs (`npm run build:server`; issue #5, start-up under a
 * second): bundles the server's own modules into dist/main.js, the entry `tortie` runs. tsc writes
 * about 180 modules that a `tortie serve` loads one by one; the ES module loader resolves, reads,
 * compiles and links each, and under a loader hook (the benchmark's) pays a round trip to the hook
 * thread for each. Bundled, they are one file, and the modules loaded only on demand (connectors,
 * Connect's mailer) are chunks under dist/chunks/ that load when first imported, as before. The
 * demo generator's worker thread gets its own bundle at dist/services/demo-worker.js, the path the
 * demo service starts it from.
 *
 * Packages stay external: node_modules/ as installed, and the bundles of dist/node_modules/ (which
 * Node finds from dist/ and dist/chunks/ alike). The other modules of dist/ stay as tsc wrote them,
 * for code that imports them directly (the benchmark's server, tests of the built CLI). Modules that
 * read files beside the code find them through src/lib/paths.ts, which works bundled or not.
 *
 * dist/main.js must be tsc's output: `npm run build:server` compiles first, then runs this.
 *
 *   node scripts/bundle-server.mjs        (re)writes dist/main.js, dist/services/demo-worker.js, dist/chunks/
 */
import { rolldown } from 'rolldown';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const MARK = '// dist/main.js: the server bundled by scripts/bundle-server.mjs';
const ENTRIES = { main: join(DIST, 'main.js'), 'services/demo-worker': join(DIST, 'services', 'demo-worker.js') };

if (readFileSync(ENTRIES.main, 'utf8').slice(0, 200).includes(MARK)) {
  throw new Error('dist/main.js is already bundled: run `npm run build:server`, which compiles it afresh first');
}
rmSync(join(DIST, 'chunks'), { recursive: true, force: true });
const bundle = await rolldown({
  input: ENTRIES,
  platform: 'node',
  logLevel: 'warn',
  // a bare specifier is a package (or a node: builtin): loaded as installed, never inlined
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
});
await bundle.write({ dir: DIST, format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', banner: (chunk) => (chunk.name === 'main' ? MARK : '') });
await bundle.close();
process.stderr.write('bundled the server into dist/main.js (and dist/chunks/, dist/services/demo-worker.js)\n');
