/**
 * A diagnosis preload for the daemons of a bench: what their event loops lost, and to what.
 *
 *   GOVFED_DAEMON_NODE_ARGS="--import ./bench/gc-observer.ts" GOVFED_FED_DIAG=1 GOVFED_FED_NODES=20 \
 *     npx node bench/federation.bench.ts
 *
 * (the daemons run with the repository as their working directory). Each daemon then writes to its
 * stderr, between its JSON event lines:
 *   GCTRACE <epoch ms> <kind> <ms>   a garbage collection of 10 ms or more (kind: major, minor,
 *                                    incremental, weakcb), wall time, as perf_hooks reports it
 *   STALL <epoch ms> <ms>            the event loop did not run a 20 ms timer for more than 250 ms
 *                                    (from the time given): a long collection, a long task, or a
 *                                    process that got no CPU
 * The charter bench's GOVFED_FED_DIAG report (bench/slowest.ts) prints these lines for the last node of
 * each slowest version. This is how the memory reducer's compacting collections were found
 * (docs/benchmarks.md). Not for production: it adds a timer and a GC observer to the process.
 */
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';

/** Collections shorter than this are not printed. */
const GC_MIN_MS = 10;
/** The timer's period, and the gap over which the event loop counts as stalled. */
const TICK_MS = 20;
const STALL_MS = 250;

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.duration < GC_MIN_MS) continue;
    const kind = (e as { detail?: { kind?: number } }).detail?.kind;
    const name = kind === undefined ? 'unknown' : (KINDS[kind] ?? String(kind));
    process.stderr.write(
      `GCTRACE ${Math.round(performance.timeOrigin + e.startTime)} ${name} ${e.duration.toFixed(1)}\n`,
    );
  }
}).observe({ entryTypes: ['gc'] });

let last = Date.now();
setInterval(() => {
  const now = Date.now();
  if (now - last > STALL_MS) process.stderr.write(`STALL ${last} ${now - last}\n`);
  last = now;
}, TICK_MS).unref();
