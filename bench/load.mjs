// One load scenario, in its own process (forked by bench/run.mjs), for a fixed duration; the
// summary goes back over IPC. The request set is fixed by the harness.
//   in  { url, headers, duration, connections, mode?: 'autocannon' | 'sequential' }
//   out { ok: true, result } | { ok: false, error }
//
// autocannon: throughput under load (its latencies are whole milliseconds), after 2 s of the same
// load not measured.
// sequential: one keep-alive connection, one request at a time, each timed to the microsecond from
// writing the request to the last byte of the answer — the latency of a request, not of a queue.
import autocannon from 'autocannon';
import http from 'node:http';

/** Load before each autocannon measurement, not counted. */
const WARM_UP_SECONDS = 2;

function quantile(sorted, q) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function sequential(o) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(o.url);
  const once = () =>
    new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const req = http.get(url, { agent, headers: o.headers }, (res) => {
        let bytes = 0;
        res.on('data', (d) => (bytes += d.length));
        res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, status: res.statusCode, bytes }));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
  // warm-up: the connection, the route's first-use compilation, the caches
  for (let i = 0; i < 20; i++) await once();
  const xs = [];
  let non2xx = 0;
  let bytes = 0;
  const start = performance.now();
  const until = start + o.duration * 1000;
  while (performance.now() < until) {
    const r = await once();
    xs.push(r.ms);
    bytes += r.bytes;
    if (r.status < 200 || r.status > 299) non2xx++;
  }
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  xs.sort((a, b) => a - b);
  return {
    p50: quantile(xs, 0.5),
    p99: quantile(xs, 0.99),
    mean: xs.reduce((a, b) => a + b, 0) / xs.length,
    max: xs[xs.length - 1],
    rps: xs.length / seconds,
    requests: xs.length,
    non2xx,
    errors: 0,
    timeouts: 0,
    bytesPerSecond: bytes / seconds,
    duration: seconds,
  };
}

process.once('message', async (o) => {
  try {
    let result;
    if (o.mode === 'sequential') result = await sequential(o);
    else {
      const options = { url: o.url, headers: o.headers, connections: o.connections, pipelining: 1, timeout: 30 };
      // warm-up, not measured: the route's first-use compilation and the JIT's work on its code
      // would otherwise count against whichever scenario runs first on a new server
      await autocannon({ ...options, duration: WARM_UP_SECONDS });
      const r = await autocannon({ ...options, duration: o.duration });
      result = {
        p50: r.latency.p50,
        p99: r.latency.p99,
        mean: r.latency.mean,
        max: r.latency.max,
        rps: r.requests.average,
        requests: r.requests.total,
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        bytesPerSecond: r.throughput.average,
        duration: r.duration,
      };
    }
    process.send({ ok: true, result });
  } catch (e) {
    process.send({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
  process.disconnect();
});
