/**
 * The daemon process's garbage-collector setting (`govfed start` applies it before the node starts).
 *
 * V8's memory reducer watches for a process that looks idle — a low allocation rate, few calls into
 * JavaScript — and then runs up to two full collections to give memory back. With its default
 * (`memory_reducer_favors_memory`) those collections also compact the heap to shrink it: far longer
 * pauses than the ordinary ones. A govfed node is that process: idle between events, then a charter
 * version, a checkpoint to cosign or a burst of decisions arrives — and the node that happens to be in
 * such a pause answers last. Measured (docs/benchmarks.md, "the memory reducer's compacting
 * collections"): in the charter bench at N = 20, back to back, the slowest versions were each one node
 * in a pause of 0.4–1.1 s, and the compacting collections were 16 of 94 full collections but 11.7 of
 * their 17.5 s of pauses.
 *
 * `--no-memory-reducer-favors-memory` keeps the memory reducer (an idle node still collects its garbage)
 * but without the compaction for footprint: the heap is reclaimed as in any full collection, and its
 * committed size shrinks only as V8's ordinary sizing does. V8 reads this flag each time the reducer
 * starts a collection (src/heap/memory-reducer.cc), so setting it at run time takes effect; whereas
 * `--no-memory-reducer` itself is read only when the heap is set up (and Node refuses it in
 * NODE_OPTIONS), so it cannot be applied here.
 */
import v8 from 'node:v8';

/** The V8 flags `govfed start` sets for its process. */
export const DAEMON_V8_FLAGS: readonly string[] = ['--no-memory-reducer-favors-memory'];

/** Applies DAEMON_V8_FLAGS to this process (V8 flags are process-wide: call it only in the daemon's own process). */
export function tuneDaemonHeap(setFlags: (flags: string) => void = (f) => v8.setFlagsFromString(f)): void {
  for (const flag of DAEMON_V8_FLAGS) setFlags(flag);
}
