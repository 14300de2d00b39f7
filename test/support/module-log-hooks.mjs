// Loader hooks of module-log.mjs (they run on the loader thread).
import { appendFileSync } from 'node:fs';

let log = null;
export async function initialize(data) {
  log = data.log;
}
export async function load(url, context, next) {
  if (log) appendFileSync(log, `${url}\n`);
  return next(url, context);
}
