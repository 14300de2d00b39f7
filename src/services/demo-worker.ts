/**
 * Worker-thread entry of the demo generator: answers each `'next'` message with the next batch of
 * prepared users (demo-prepare.ts), or `null` when there is none left. Generation (pure CPU) thus
 * overlaps the writer thread's database work.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { demoBatches, type DemoBatchOptions } from './demo-prepare.js';

const port = parentPort;
if (!port) throw new Error('demo-worker.ts runs only as a worker thread');
const batches = demoBatches(workerData as DemoBatchOptions);
port.on('message', (m: unknown) => {
  if (m !== 'next') return;
  const r = batches.next();
  port.postMessage(r.done ? null : r.value);
});
