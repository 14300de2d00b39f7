// `node --import ./test/support/module-log.mjs …`: writes every module the process loads to the
// file named by TORTIE_TEST_MODULE_LOG, one URL or path a line — ES modules as they load (through
// a loader hook), CommonJS modules from require's cache when the process exits.
import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';

const log = process.env.TORTIE_TEST_MODULE_LOG;
if (log) {
  register('./module-log-hooks.mjs', import.meta.url, { data: { log } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => appendFileSync(log, Object.keys(require.cache).map((p) => `${p}\n`).join('')));
}
