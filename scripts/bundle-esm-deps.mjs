#!/usr/bin/env node
/**
 * Build step after tsc (`npm run build:server`; issue #5, start-up under a second): bundles each
 * ES-module-only dependency the server imports at start-up — typebox (~370 modules), kysely
 * (~260) and jose (~45) — into a single module under dist/node_modules/<name>/. Node resolves a
 * bare specifier from the nearest node_modules directory, so code in dist/ loads these copies,
 * while everything else (tests on src/, the bench's own imports, tools) keeps loading the packages.
 *
 * A copy is the installed package's own code, same version, not minified: only the number of files
 * Node's ES module loader resolves, reads, compiles and links changes — about 680 of the ~850 ES
 * modules a server loaded, most of its start-up on Node 20 (and about twice that under a loader
 * hook, such as the benchmark's). Only the package's main entry is bundled: a subpath import of one
 * of these packages from dist/ fails to resolve (the copy exports "." alone) rather than loading a
 * second copy of the package beside this one.
 *
 *   node scripts/bundle-esm-deps.mjs        (re)writes dist/node_modules/
 */
import { rolldown } from 'rolldown';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist', 'node_modules');
const PACKAGES = ['typebox', 'kysely', 'jose'];

rmSync(OUT, { recursive: true, force: true });
for (const name of PACKAGES) {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
  // a dependency of the package would be inlined too: a second copy beside the one others load
  if (Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).length) throw new Error(`${name} has dependencies: bundling it would duplicate them`);
  const bundle = await rolldown({ input: name, cwd: ROOT, platform: 'node', treeshake: false, logLevel: 'warn' });
  await bundle.write({ file: join(OUT, name, 'index.js'), format: 'esm' });
  await bundle.close();
  const manifest = { name, version: pkg.version, description: `${name} ${pkg.version} in one module (scripts/bundle-esm-deps.mjs)`, type: 'module', exports: { '.': './index.js' } };
  writeFileSync(join(OUT, name, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}
process.stderr.write(`bundled ${PACKAGES.join(', ')} into dist/node_modules/\n`);
