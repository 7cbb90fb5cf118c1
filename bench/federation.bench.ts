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
 * Topology: each invite names the founder and the members it knows as bootstrap peers, so every joiner
 * connects to the founder and to the members admitted before it (the mesh the demo and tests build).
 */
import { readFile } from 'node:fs/promises';
import { removeDir } from '../test/helpers/cli.ts';
import { DaemonProcess, initNode, type TestNode } from '../test/helpers/daemon.ts';
import type { BenchResult } from './types.ts';

const NODES = (process.env.GOVFED_FED_NODES ?? '5,10,20').split(',').map(Number);
const MESSAGES = Number(process.env.GOVFED_FED_MESSAGES ?? 50);
const GROUP = 'federation';

interface Running extends TestNode {
  daemon: DaemonProcess;
}

async function post(n: Running, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await n.daemon.fetch(path, {
    method: 'POST',
    token: n.adminToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const v = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(v)}`);
  return v;
}

/** Time (ms) of `n`'s federation:charter event for `version`, if logged yet. */
function charterTime(n: Running, version: number): number | undefined {
  const re = new RegExp(`^\\{"time":"([^"]+)","event":"federation:charter","org":"[^"]+","version":${version},`, 'm');
  const m = re.exec(n.daemon.stderr);
  return m === null ? undefined : Date.parse(m[1] as string);
}

async function until(fn: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function measure(n: number): Promise<BenchResult> {
  const nodes: Running[] = [];
  try {
    for (let i = 0; i < n; i += 5) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(5, n - i) }, async (_, j) => {
          const t = await initNode(`org${i + j}`, ['--listen', '/ip4/127.0.0.1/tcp/0']);
          return { ...t, daemon: await DaemonProcess.start(t.home, { timeoutMs: 60_000 }) };
        }),
      );
      nodes.push(...batch);
    }
    const [founder, ...others] = nodes as [Running, ...Running[]];
    await post(founder, '/v1/federation', { name: `bench ${n}` });
    let version = 1;
    for (const o of others) {
      const inv = await post(founder, '/v1/federation/invites', { org: o.init.org, peerId: o.init.peerId });
      await post(o, '/v1/federation/join', { invite: inv.invite });
      version += 1;
      const v = version;
      await until(() => charterTime(founder, v) !== undefined, 30_000, `admission ${v}`);
    }
    await until(() => nodes.every((x) => charterTime(x, version) !== undefined), 60_000, 'all admitted');
    await new Promise((r) => setTimeout(r, 2000)); // let gossipsub meshes settle

    const latencies: number[] = [];
    const start = Date.now();
    for (let k = 0; k < MESSAGES; k++) {
      await post(founder, '/v1/federation/thresholds', { policy: (k % 200) + 2 });
      version += 1;
      const v = version;
      await until(() => nodes.every((x) => charterTime(x, v) !== undefined), 30_000, `version ${v} everywhere`);
      const t0 = charterTime(founder, v) as number;
      latencies.push(Math.max(...others.map((x) => charterTime(x, v) as number)) - t0);
    }
    const seconds = (Date.now() - start) / 1000;
    const sorted = [...latencies].sort((a, b) => a - b);
    const load = await readFile('/proc/loadavg', 'utf8').catch(() => '');
    return {
      group: GROUP,
      name: `N = ${n} node processes: publish → accepted at every node`,
      ops: MESSAGES,
      unit: 'charter versions',
      opsPerSec: MESSAGES / seconds,
      notes: `p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms; every node verifies the gossip and charter signatures; loadavg ${load.split(' ').slice(0, 3).join(' ')}`,
    };
  } finally {
    await Promise.all(nodes.map((x) => x.daemon.stop()));
    await Promise.all(nodes.map((x) => removeDir(x.tmp)));
  }
}

export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const n of NODES) out.push(await measure(n));
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(`${r.name}: ${r.opsPerSec.toFixed(1)} ${r.unit}/s; ${r.notes}`);
}
