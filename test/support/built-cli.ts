/**
 * The compiled CLI for tests that run `tortie` as a real child process. `npm test` builds first;
 * a lone run of such a test file builds (compiles and bundles) when dist/ is older than src/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN = join(ROOT, 'dist', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function ensureBuilt(): void {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], { stdio: 'pipe' });
  } catch {
    // type errors elsewhere in the tree still emit JavaScript; the typecheck is CI's job
  }
  if (!existsSync(MAIN)) throw new Error('dist/main.js was not built');
  // the rest of `npm run build:server`: what `tortie` runs is the bundle
  for (const script of ['bundle-esm-deps.mjs', 'bundle-server.mjs']) execFileSync(process.execPath, [join(ROOT, 'scripts', script)], { stdio: 'pipe' });
}
