/**
 * Witnessing in a wide federation (issue 17): N = 50 (GOVFED_WIDE_NODES) real nodes, 10 per process
 * (bench/hosted-cluster.ts: each a real Daemon with its own LevelDB, libp2p over TCP on 127.0.0.1 and
 * HTTP server; N processes of their own do not fit 2 cores). Signed → witnessed on org0's log, as in
 * witness.bench.ts: one decision appended, org0 asks k + 1 witnesses over /govfed/witness/1.0.0, k
 * cosignatures (a majority of the other members: 25 of 49) make it witnessed and it is gossiped once.
 * GOVFED_WIDE_CHECKPOINTS (default 20) checkpoints one after another; messages per checkpoint counted
 * from every node's metrics, to show how it grows with N next to witness.bench.ts's N = 4, 10, 20.
 * Measured once the formation's own witnessing has settled (settle()), as on a federation in use.
 * GOVFED_BENCH_LOG_DIR=DIR keeps every host's events in DIR/host-<i>.log (to look into a slow formation).
 * GOVFED_WIDE_PER_HOST (default 10) sets how many nodes share one host process.
 */
import { readFile } from 'node:fs/promises';
import { runAlone } from './alone.ts';
import { startHostedCluster } from './hosted-cluster.ts';
import { intListSetting, intSetting } from './settings.ts';
import { nearestRank } from './stats.ts';
import type { BenchResult } from './types.ts';
import { measureWitnessed, witnessMessages } from './witness-helpers.ts';

const GROUP = 'wide';
const NODES = intListSetting('GOVFED_WIDE_NODES', '50');
const CHECKPOINTS = intSetting('GOVFED_WIDE_CHECKPOINTS', 20);
/** Nodes per host process (GOVFED_WIDE_PER_HOST): fewer share one event loop, in more processes. */
const PER_HOST = intSetting('GOVFED_WIDE_PER_HOST', 10);
/** Longest wait for the formation's witnessing to settle before measuring. */
const SETTLE_MAX_MS = 180_000;

/**
 * Waits until the federation is quiet: every admission is a governance entry in every member's log, so
 * right after the last one N checkpoints are still being witnessed (at N = 50 over a thousand
 * add-checkpoint exchanges in the next minute). Measuring then would time that tail, not a checkpoint:
 * wait until no node sent a witness request for 3 s in a row (at least the gossipsub settling time).
 */
async function settle(nodes: Parameters<typeof witnessMessages>[0]): Promise<number> {
  const start = Date.now();
  await new Promise((r) => setTimeout(r, 5000)); // let gossipsub meshes settle
  let last = (await witnessMessages(nodes)).requests;
  for (let quiet = 0; quiet < 3 && Date.now() - start < SETTLE_MAX_MS; ) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = (await witnessMessages(nodes)).requests;
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
  return (Date.now() - start) / 1000;
}

async function wide(n: number): Promise<BenchResult> {
  const formStart = Date.now();
  const cluster = await startHostedCluster(n, PER_HOST);
  const formSeconds = (Date.now() - formStart) / 1000;
  try {
    const settleSeconds = await settle(cluster.nodes);
    const { sorted, k, messages } = await measureWitnessed(cluster.nodes, CHECKPOINTS, `wide${n}`);
    const load = (await readFile('/proc/loadavg', 'utf8').catch(() => '')).split(' ').slice(0, 3).join(' ');
    return {
      group: GROUP,
      name: `N = ${n} nodes in ${cluster.hosts} processes: checkpoint signed → witnessed by k = ${k} of ${n - 1} other members`,
      ops: CHECKPOINTS,
      unit: 'checkpoints',
      opsPerSec: CHECKPOINTS / (sorted.reduce((a, b) => a + b, 0) / 1000),
      notes: `p50 ${nearestRank(sorted, 50)} ms, p99 ${nearestRank(sorted, 99)} ms, max ${sorted.at(-1)} ms (rate = 1 / mean latency); messages: ${messages}; federation formed in ${formSeconds.toFixed(0)} s, its witnessing settled ${settleSeconds.toFixed(0)} s later; loadavg ${load}`,
    };
  } finally {
    await cluster.stop();
  }
}

export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const n of NODES) out.push(await wide(n));
  return out;
}

await runAlone(import.meta, run);
