/**
 * Federation propagation: from publish to "accepted" at every node, N node processes on this machine.
 *
 * For each N (GOVFED_FED_NODES, default "5,10,20"): N real daemons (`govfed start`, libp2p on
 * 127.0.0.1); the first founds the federation and admits the others one by one (invite + join, each
 * joiner bootstrapping from the founder). Then MESSAGES (GOVFED_FED_MESSAGES, default 50) charter
 * changes, one after the other: the founder sets a new policy threshold (charter threshold 1, so the
 * change is complete at once), accepts it and gossips it on the charter topic. Every node verifies the
 * gossip envelope signature and the charter (signatures, threshold, link) before accepting it.
 *
 * Latency of one message = (latest `federation:charter` event time among the other N-1 nodes) - (the
 * founder's `federation:charter` event time for that version, logged right before it publishes). All
 * processes share the machine clock. Reported: p50 / p99 over the messages, in the notes; the rate is
 * messages per second of the sequential run (each waits for the previous to reach every node).
 *
 * Measured twice, as the policy and kill-switch benches are: with the federation quiet before each
 * version (no checkpoint cosigned anywhere for 1.5 s, 15 s at most — charter changes are rare, so this
 * is the normal case) and back to back (each version right after the previous one reached every node,
 * while every node's checkpoint of the previous version is still being witnessed: a stress case).
 *
 * Topology: each invite names the founder and the members it knows as bootstrap peers, so every joiner
 * connects to the founder and to the members admitted before it (the mesh the demo and tests build).
 *
 * Diagnosis: GOVFED_FED_HALVES=quiet or back-to-back runs one half only (default: both);
 * GOVFED_FED_DIAG=1 prints, after each half, who made its slowest versions slow (bench/slowest.ts) — with
 * the daemons' collections and event-loop stalls when they preload bench/gc-observer.ts.
 */
import { readFile } from 'node:fs/promises';
import { adminPost } from '../test/helpers/federation.ts';
import { runAlone } from './alone.ts';
import { eventTime, type FedNode, quiet, startCluster, stopCluster, until } from './cluster.ts';
import { choiceSetting, intListSetting, intSetting } from './settings.ts';
import { type MessageTimes, slowestReport } from './slowest.ts';
import { nearestRank as percentile } from './stats.ts';
import type { BenchResult } from './types.ts';

const NODES = intListSetting('GOVFED_FED_NODES', '5,10,20');
const MESSAGES = intSetting('GOVFED_FED_MESSAGES', 50);
const HALVES = choiceSetting('GOVFED_FED_HALVES', ['both', 'quiet', 'back-to-back']);
const DIAG = process.env.GOVFED_FED_DIAG === '1';
const GROUP = 'federation';
/** Longest wait for a quiet federation before the next version (as the policy bench). */
const QUIET_MAX_MS = 15_000;

/** Time (ms) of `n`'s federation:charter event for `version`, if logged yet. */
function charterTime(n: FedNode, version: number): number | undefined {
  return eventTime(n, 'federation:charter', { version });
}

/** MESSAGES versions on a formed cluster whose charter is at version `from`; also returns the last. */
async function measure(nodes: readonly FedNode[], from: number, settle: boolean): Promise<[BenchResult, number]> {
  const n = nodes.length;
  const [founder, ...others] = nodes as [FedNode, ...FedNode[]];
  let version = from;
  const latencies: number[] = [];
  const byVersion: [number, number][] = [];
  const times: MessageTimes[] = [];
  const start = Date.now();
  const cpu0 = process.cpuUsage();
  for (let k = 0; k < MESSAGES; k++) {
    // quiet before every version, the first included (formation's own checkpoints are witnessed first)
    if (settle) await quiet(nodes, QUIET_MAX_MS);
    await adminPost(founder, '/v1/federation/thresholds', { policy: (k % 200) + 2 });
    version += 1;
    const v = version;
    await until(() => nodes.every((x) => charterTime(x, v) !== undefined), 30_000, `version ${v} everywhere`);
    const t0 = charterTime(founder, v) as number;
    latencies.push(Math.max(...others.map((x) => charterTime(x, v) as number)) - t0);
    byVersion.push([v, latencies.at(-1) as number]);
    if (DIAG) {
      const receivedAt = new Map(others.map((x, i) => [i + 1, charterTime(x, v) as number]));
      times.push({ name: `v${v}`, sentAt: t0, receivedAt });
    }
  }
  const seconds = (Date.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const harness = (cpu.user + cpu.system) / 1e4 / seconds; // % of one core
  const sorted = [...latencies].sort((a, b) => a - b);
  const load = await readFile('/proc/loadavg', 'utf8').catch(() => '');
  const slowest = [...byVersion]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([v, ms]) => `v${v} ${ms} ms`)
    .join(', ');
  if (DIAG) {
    console.log(`slowest versions, ${settle ? 'quiet' : 'back to back'} (GOVFED_FED_DIAG):`);
    for (const line of slowestReport(times, (i) => (nodes[i] as FedNode).daemon.stderr)) console.log(line);
  }
  const result: BenchResult = {
    group: GROUP,
    name: `N = ${n} node processes: publish → accepted at every node, ${settle ? 'federation quiet before each version' : 'versions back to back'}`,
    ops: MESSAGES,
    unit: 'charter versions',
    opsPerSec: MESSAGES / seconds,
    notes: `p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms (slowest: ${slowest}); every node verifies the gossip and charter signatures; loadavg ${load.split(' ').slice(0, 3).join(' ')}; the bench process itself ${harness.toFixed(0)} % of one core`,
  };
  return [result, version];
}

export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const n of NODES) {
    const nodes = await startCluster(n);
    try {
      await new Promise((r) => setTimeout(r, 2000)); // let gossipsub meshes settle
      let version = n;
      if (HALVES !== 'back-to-back') {
        const [settled, next] = await measure(nodes, version, true);
        out.push(settled);
        version = next;
      }
      if (HALVES !== 'quiet') out.push((await measure(nodes, version, false))[0]);
    } finally {
      await stopCluster(nodes);
    }
  }
  return out;
}

await runAlone(import.meta, run);
