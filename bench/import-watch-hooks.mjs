// Loader hooks of bench/import-watch.mjs (they run on the loader thread).
import { appendFileSync } from 'node:fs';

let log = null;
export async function initialize(data) {
  log = data.log;
}
export async function load(url, context, next) {
  if (log && /[/\\]node_modules[/\\]ccxt[/\\]/.test(url)) appendFileSync(log, `import ${url}\n`);
  return next(url, context);
}
