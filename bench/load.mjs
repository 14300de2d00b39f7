// One load scenario, in its own process (forked by bench/run.mjs): autocannon against the server
// for a fixed duration, then the summary back over IPC. The request set is fixed by the harness.
//   in  { url, headers, duration, connections }
//   out { ok: true, result } | { ok: false, error }
import autocannon from 'autocannon';

process.once('message', async (o) => {
  try {
    const r = await autocannon({ url: o.url, headers: o.headers, duration: o.duration, connections: o.connections, pipelining: 1, timeout: 30 });
    process.send({
      ok: true,
      result: {
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
      },
    });
  } catch (e) {
    process.send({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
  process.disconnect();
});
