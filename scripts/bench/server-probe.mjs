// Loaded into the bench's `next start` with `node --import` (nothing of the app changes). On
// SIGUSR2 it runs a full garbage collection through the in-process inspector (no --expose-gc
// needed) and writes `process.memoryUsage()` to $BENCH_PROBE_FILE, so memory samples compare live
// memory rather than how much garbage happened to be waiting. The inspector session is opened on
// the first signal only, so runs that never send one are not touched.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

let session;
let count = 0;
process.on('SIGUSR2', () => {
  if (!session) {
    session = new Session();
    session.connect();
  }
  session.post('HeapProfiler.collectGarbage', () => {
    count += 1;
    if (process.env.BENCH_PROBE_FILE) writeFileSync(process.env.BENCH_PROBE_FILE, JSON.stringify({ count, ...process.memoryUsage() }));
  });
});
