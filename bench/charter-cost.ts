/**
 * What one charter version costs the whole federation, counted (issue 17): `node bench/charter-cost.ts`
 * forms GOVFED_COST_NODES (default 12) real daemons as the charter bench does (bench/cluster.ts), lets
 * it settle, measures an idle window of GOVFED_COST_IDLE_SECONDS (default 10), then sends
 * GOVFED_COST_VERSIONS (default 20) charter versions back to back — each as soon as the previous one is
 * at every node, as the federation bench's second half; with GOVFED_COST_GAP_MS, one every that many ms
 * instead, so that the machine is not saturated and the CPU per version is not a queue's — and waits until no checkpoint was cosigned
 * anywhere for 1.5 s. Over that phase it reads, from every daemon: CPU (utime + stime of
 * /proc/<pid>/stat), /metrics (gossip published / validated per kind, request/response exchanges per
 * protocol, Ed25519 verifications, add-checkpoint requests), and the events on stderr (cosignatures
 * made, checkpoints witnessed, sync failures); it prints them per charter version, for all nodes
 * together, with the idle window's share taken out of the CPU.
 *
 * With the daemons started under GOVFED_DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" (test/helpers/
 * daemon.ts; NODE_OPTIONS does not take --cpu-prof), GOVFED_COST_WINDOW=FILE
 * gets the phase's window on the monotonic clock (µs, as V8's profile timestamps), for
 * bench/merge-profiles.ts to keep only that window's samples of every process. Not part of
 * `npm run bench` (no BenchResult): a measuring tool.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { adminPost } from '../test/helpers/federation.ts';
import { events, eventTime, type FedNode, quiet, startCluster, stopCluster, until } from './cluster.ts';
import { intSetting, numberSetting } from './settings.ts';
import { nearestRank as percentile } from './stats.ts';

const N = intSetting('GOVFED_COST_NODES', 12);
const VERSIONS = intSetting('GOVFED_COST_VERSIONS', 20);
const IDLE_SECONDS = numberSetting('GOVFED_COST_IDLE_SECONDS', 10, 0);
/** With a gap (ms from one publish to the next), versions are spaced rather than back to back. */
const GAP_MS = intSetting('GOVFED_COST_GAP_MS', 0, 0);
const TICKS_PER_SECOND = 100;

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

const cpuAll = (nodes: readonly FedNode[]) => nodes.reduce((a, x) => a + cpuSeconds(x.daemon.child.pid as number), 0);

/** Every sample of every govfed_* metric of `n` (labels kept), summed by name{labels}. */
async function metrics(n: FedNode): Promise<Map<string, number>> {
  const res = await n.daemon.fetch('/metrics', { token: n.adminToken });
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line.startsWith('govfed_')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function metricsAll(nodes: readonly FedNode[]): Promise<Map<string, number>> {
  const sum = new Map<string, number>();
  for (const m of await Promise.all(nodes.map(metrics))) for (const [k, v] of m) sum.set(k, (sum.get(k) ?? 0) + v);
  return sum;
}

const EVENTS = [
  'witness:cosigned',
  'witness:witnessed',
  'witness:ask-failed',
  'witness:refused-by',
  'federation:sync-failed',
  'federation:request-retried',
  'federation:charter',
] as const;

function eventCounts(nodes: readonly FedNode[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of EVENTS)
    out.set(
      e,
      nodes.reduce((a, x) => a + events(x, e).length, 0),
    );
  return out;
}

/** The charter versions taken, counted by the way they came (`via`: gossip, sync …). */
function charterWays(nodes: readonly FedNode[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const x of nodes) {
    for (const e of events(x, 'federation:charter')) {
      const via = String(e.fields.via ?? '?');
      out.set(via, (out.get(via) ?? 0) + 1);
    }
  }
  return out;
}

/** Distinct (origin, size) pairs cosigned by someone: checkpoints that reached a witness. */
function checkpointsCosigned(nodes: readonly FedNode[]): Set<string> {
  const out = new Set<string>();
  for (const x of nodes) for (const e of events(x, 'witness:cosigned')) out.add(`${e.fields.origin} ${e.fields.size}`);
  return out;
}

const nodes = await startCluster(N);
try {
  const [founder, ...others] = nodes as [FedNode, ...FedNode[]];
  await new Promise((r) => setTimeout(r, 5000));
  await quiet(nodes, 30_000);
  // Idle window: what the federation costs with nothing happening.
  const idle0 = cpuAll(nodes);
  const idleStart = Date.now();
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const idleCores = (cpuAll(nodes) - idle0) / ((Date.now() - idleStart) / 1000);

  const status = (await (await founder.daemon.fetch('/v1/federation', { token: founder.adminToken })).json()) as {
    charterVersion: number;
  };
  const version0 = status.charterVersion;
  const m0 = await metricsAll(nodes);
  const e0 = eventCounts(nodes);
  const w0 = charterWays(nodes);
  const cp0 = checkpointsCosigned(nodes);
  const cpu0 = cpuAll(nodes);
  const start = Date.now();
  const mono0 = process.hrtime.bigint();
  const latencies: number[] = [];
  let version = version0;
  for (let k = 0; k < VERSIONS; k++) {
    const sent = Date.now();
    await adminPost(founder, '/v1/federation/thresholds', { policy: (k % 200) + 2 });
    version += 1;
    const v = version;
    await until(
      () => nodes.every((x) => eventTime(x, 'federation:charter', { version: v }) !== undefined),
      60_000,
      `v${v}`,
    );
    const t0 = eventTime(founder, 'federation:charter', { version: v }) as number;
    latencies.push(Math.max(...others.map((x) => eventTime(x, 'federation:charter', { version: v }) as number)) - t0);
    const wait = sent + GAP_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const versionsEnd = Date.now();
  await quiet(nodes, 30_000);
  const mono1 = process.hrtime.bigint();
  const seconds = (Date.now() - start) / 1000;
  const cpu = cpuAll(nodes) - cpu0;
  const m1 = await metricsAll(nodes);
  const e1 = eventCounts(nodes);
  const w1 = charterWays(nodes);
  const cp1 = checkpointsCosigned(nodes);
  if (process.env.GOVFED_COST_WINDOW !== undefined) {
    writeFileSync(
      process.env.GOVFED_COST_WINDOW,
      JSON.stringify({
        fromUs: Number(mono0 / 1000n),
        toUs: Number(mono1 / 1000n),
        versions: VERSIONS,
        pids: nodes.map((x) => x.daemon.child.pid),
      }),
    );
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const per = (x: number) => (x / VERSIONS).toFixed(1);
  console.log(
    `N = ${N}: ${VERSIONS} versions ${GAP_MS > 0 ? `${GAP_MS} ms apart` : 'back to back'} in ${((versionsEnd - start) / 1000).toFixed(1)} s (+ ${((Date.now() - versionsEnd) / 1000).toFixed(1)} s until quiet); p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms`,
  );
  console.log(
    `CPU: ${cpu.toFixed(1)} core-s over ${seconds.toFixed(1)} s (${(cpu / seconds).toFixed(2)} cores); idle ${idleCores.toFixed(2)} cores → ${((cpu - idleCores * seconds) / VERSIONS).toFixed(2)} core-s per version above idle (${(cpu / VERSIONS).toFixed(2)} with it)`,
  );
  console.log(`checkpoints cosigned (distinct origin+size) per version: ${per(cp1.size - cp0.size)}`);
  for (const e of EVENTS) console.log(`event ${e} per version: ${per((e1.get(e) ?? 0) - (e0.get(e) ?? 0))}`);
  const ways = [...w1.keys()].sort().map((via) => `${via} ${per((w1.get(via) ?? 0) - (w0.get(via) ?? 0))}`);
  console.log(`event federation:charter per version, by way: ${ways.join(', ')}`);
  const keys = [...new Set([...m0.keys(), ...m1.keys()])].sort();
  for (const k of keys) {
    if (
      !/gossip_messages|p2p_exchanges|signature_verifications|witness_requests|witness_cosigned|witness_checkpoints/.test(
        k,
      )
    )
      continue;
    const d = (m1.get(k) ?? 0) - (m0.get(k) ?? 0);
    if (d !== 0) console.log(`metric ${k} per version: ${per(d)}`);
  }
  console.log(`loadavg ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
} finally {
  await stopCluster(nodes);
}
