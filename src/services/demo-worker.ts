/**
 * Worker-thread entry of the demo generator: `{ start: DemoBatchOptions }` sets what to generate;
 * each `'next'` message is answered with the next batch of prepared users and their transactions'
 * rows (demo-prepare.ts), or `null` when there is none left. Generation and row building (pure CPU)
 * thus overlap the writer thread's database work.
 */
import { parentPort } from 'node:worker_threads';
import { demoBatches, type DemoBatchOptions, type PreparedBatch } from './demo-prepare.js';

const port = parentPort;
if (!port) throw new Error('demo-worker.ts runs only as a worker thread');
let batches: Generator<PreparedBatch> | null = null;
port.on('message', (m: unknown) => {
  if (typeof m === 'object' && m !== null && 'start' in m) {
    batches = demoBatches((m as { start: DemoBatchOptions }).start);
    return;
  }
  if (m !== 'next' || !batches) return;
  const r = batches.next();
  port.postMessage(r.done ? null : r.value);
});
