// `node --import ./bench/import-watch.mjs dist/main.js serve`: records every module the process
// loads whose URL names ccxt (ESM imports through a loader hook, CommonJS through Module._load) in
// the file named by TORTIE_BENCH_IMPORT_LOG, so the harness can check that start-up loads no
// exchange library.
import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';

const log = process.env.TORTIE_BENCH_IMPORT_LOG;
if (log) {
  register('./import-watch-hooks.mjs', import.meta.url, { data: { log } });
  const Module = createRequire(import.meta.url)('node:module');
  const load = Module._load;
  Module._load = function (request, ...rest) {
    if (/(^|[/\\])ccxt([/\\]|$)/.test(request)) appendFileSync(log, `require ${request}\n`);
    return load.call(this, request, ...rest);
  };
}
