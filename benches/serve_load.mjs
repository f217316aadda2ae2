// Load test for `pairproof serve`: N pair checks from C concurrent clients on loopback.
// Usage: node benches/serve_load.mjs --url http://127.0.0.1:PORT/ [--n 200] [--c 8]
//        [--main fixtures/shoe-main.jpg] [--hidden fixtures/shoe-hidden.jpg] [--json]
// Prints count, errors, wall time, throughput and latency percentiles (nearest-rank). Exits 1
// if any request failed or returned an unexpected verdict. Timing is reported, never asserted.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : true]);
    return acc;
  }, []),
);
const url = String(args.url || '').replace(/\/?$/, '/');
const n = Number(args.n || 200);
const c = Number(args.c || 8);
const mainPath = args.main || 'fixtures/shoe-main.jpg';
const hiddenPath = args.hidden || 'fixtures/shoe-hidden.jpg';
if (!url.startsWith('http')) {
  console.error('usage: node benches/serve_load.mjs --url http://127.0.0.1:PORT/ [--n 200] [--c 8]');
  process.exit(2);
}
const main = new Blob([readFileSync(mainPath)], { type: 'image/jpeg' });
const hidden = new Blob([readFileSync(hiddenPath)], { type: 'image/jpeg' });

const latencies = [];
const errors = [];
let next = 0;
async function client() {
  while (next < n) {
    next += 1;
    const fd = new FormData();
    fd.append('main', main, basename(mainPath));
    fd.append('hidden', hidden, basename(hiddenPath));
    const t0 = performance.now();
    try {
      const r = await fetch(url + 'api/check', { method: 'POST', body: fd });
      const doc = await r.json();
      const ms = performance.now() - t0;
      if (!r.ok || doc.schema !== 'pairproof.serve-check/1' || !doc.report || !doc.report.verdict) {
        errors.push(`HTTP ${r.status} ${doc.code || ''}`);
      } else {
        latencies.push(ms);
      }
    } catch (e) {
      errors.push(String(e));
    }
  }
}
const t0 = performance.now();
await Promise.all(Array.from({ length: c }, client));
const wall = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] : NaN);
const out = {
  schema: 'pairproof.serve-load/1',
  requests: n,
  concurrency: c,
  ok: latencies.length,
  errors: errors.length,
  wall_s: +wall.toFixed(2),
  per_s: +(latencies.length / wall).toFixed(2),
  p50_ms: +pct(50).toFixed(1),
  p95_ms: +pct(95).toFixed(1),
  max_ms: +pct(100).toFixed(1),
};
console.log(args.json ? JSON.stringify(out) : Object.entries(out).map(([k, v]) => `${k}=${v}`).join(' '));
if (errors.length) {
  console.error('errors (first 5):', errors.slice(0, 5));
  process.exit(1);
}
