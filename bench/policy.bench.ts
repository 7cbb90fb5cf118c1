/**
 * Policy enforcement and propagation (issue 5), three measurements:
 *
 *  1. Evaluation, in process: the 20-rule baseline of bench/policy-rules.ts compiled once (cel-js typed
 *     environment), then `evaluate(hookInput('decision', record))` per decision over 1,000 distinct
 *     records (the ingest bench's records) — the exact call the node makes per decision. Per-call times
 *     with process.hrtime.bigint; p50 / p99 µs and decisions/s on one core.
 *  2. Durable ingest with enforcement on vs off, in the same run and the same daemon: POST /v1/decisions
 *     batches of 1,000 by 8 keep-alive clients (bench/ingest-http.bench.ts's driver), first with no
 *     rules at all (enforcement has nothing to evaluate: "off"), then with the 20 rules installed as the
 *     node's local overlay ("on": every decision is evaluated and its verdict sealed into the leaf), then
 *     off and on again; each phase GOVFED_BENCH_SECONDS (default 10). Reported: decisions/s of each and
 *     the cost of enforcement = 1 − on/off, from the mean of the two rounds.
 *  3. Propagation, N = 5, 10, 20 node processes (GOVFED_POLICY_NODES), policy threshold 2: the founder
 *     proposes bundle version v (one signature: applied nowhere), org1 co-signs — the threshold-reaching
 *     signature; org1 applies it and gossips it; every node verifies the gossip envelope, the bundle's
 *     member signatures against its charter, the chain rules, then applies it atomically. Latency of one
 *     version = (latest `policy:applied` time among the other N − 1 nodes) − (org1's `policy:applied`
 *     time, logged as it applies, before it publishes). GOVFED_POLICY_VERSIONS (default 10) versions, one
 *     after another, measured twice: with the federation quiet before each version (no checkpoint
 *     cosigned anywhere for 1.5 s, waiting 15 s at most — bundles are rare, so this is the normal case) and back to back (each
 *     version right after the previous one reached every node, while the witnesses still cosign the
 *     checkpoints that the previous apply caused on every node: a stress case).
 */
import { readFile } from 'node:fs/promises';
import { compileRules, evaluate, hookInput } from '../protocol/policy/index.ts';
import { removeDir, runCliJson } from '../test/helpers/cli.ts';
import { DaemonProcess, initNode } from '../test/helpers/daemon.ts';
import { adminPost } from '../test/helpers/federation.ts';
import { makeRecords } from '../test/helpers/records.ts';
import { runAlone } from './alone.ts';
import { eventTime, type FedNode, quiet, startCluster, stopCluster, until } from './cluster.ts';
import { measureOnOff, onOffResults } from './on-off.ts';
import { BASELINE_20 } from './policy-rules.ts';
import { intListSetting, intSetting } from './settings.ts';
import { nearestRank, percentile } from './stats.ts';
import type { BenchResult } from './types.ts';

const GROUP = 'policy';
const EVALUATIONS = 200_000;
const NODES = intListSetting('GOVFED_POLICY_NODES', '5,10,20');
const VERSIONS = intSetting('GOVFED_POLICY_VERSIONS', 10);
/** Longest wait for a quiet federation before the next version (it may never come at N = 20). */
const QUIET_MAX_MS = 15_000;

function evaluation(): BenchResult {
  const global = compileRules(BASELINE_20);
  const records = makeRecords(1000, 'eval');
  const node = { org: 'bench', jurisdiction: 'EU' };
  const rules = { global, local: [] };
  for (let i = 0; i < 20_000; i++) {
    evaluate(rules, 'decision', hookInput('decision', records[i % 1000], node), { policyVersion: 1 });
  }
  const times = new Float64Array(EVALUATIONS);
  let warned = 0;
  const start = performance.now();
  for (let i = 0; i < EVALUATIONS; i++) {
    const t0 = process.hrtime.bigint();
    const v = evaluate(rules, 'decision', hookInput('decision', records[i % 1000], node), { policyVersion: 1 });
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
    warned += v.warn.length;
  }
  const seconds = (performance.now() - start) / 1000;
  const sorted = [...times].sort((a, b) => a - b);
  return {
    group: GROUP,
    name: 'evaluate the 20-rule decision baseline (hookInput + evaluate), one core',
    ops: EVALUATIONS,
    unit: 'decisions',
    opsPerSec: EVALUATIONS / seconds,
    notes: `p50 ${percentile(sorted, 0.5).toFixed(2)} µs, p99 ${percentile(sorted, 0.99).toFixed(2)} µs per decision (timer overhead included); ${(warned / EVALUATIONS).toFixed(2)} warn findings per decision on average`,
  };
}

async function ingestOnOff(): Promise<BenchResult[]> {
  const node = await initNode('bench-policy');
  let daemon: DaemonProcess | undefined;
  try {
    const { token } = await runCliJson<{ token: string }>(['token', 'create', '--home', node.home, '--role', 'ingest']);
    daemon = await DaemonProcess.start(node.home);
    const d = daemon;
    const setRules = async (rules: unknown[]) => {
      await adminPost({ daemon: d, adminToken: node.adminToken }, '/v1/policy/local', { rules }, 'PUT');
    };
    const rates = await measureOnOff(d.url, token, async (phase) => {
      await setRules(phase === 'on' ? [...BASELINE_20] : []);
      return undefined;
    });
    const exit = await d.stop('SIGTERM');
    if (exit.code !== 0) throw new Error(`daemon exited with ${exit.code ?? exit.signal}`);
    return onOffResults(
      GROUP,
      rates,
      {
        off: 'durable ingest over HTTP, enforcement off (no rules), batches of 1,000',
        on: 'durable ingest over HTTP, enforcement on (20 rules), batches of 1,000',
      },
      'enforcement',
    );
  } finally {
    if (daemon !== undefined) await daemon.kill9();
    await removeDir(node.tmp);
  }
}

export async function propagation(n: number, settle = false): Promise<BenchResult> {
  const SETTLE = settle;
  const nodes = await startCluster(n, { thresholds: { policy: 2 } });
  try {
    const [founder, signer, ...rest] = nodes as [FedNode, FedNode, ...FedNode[]];
    const others = [founder, ...rest];
    await new Promise((r) => setTimeout(r, 2000)); // let gossipsub meshes settle
    const latencies: number[] = [];
    const start = Date.now();
    for (let v = 1; v <= VERSIONS; v++) {
      // quiet before every version, the first included (formation's own checkpoints are witnessed first)
      if (SETTLE) await quiet(nodes, QUIET_MAX_MS);
      const rules = BASELINE_20.slice(0, 1 + (v % 20));
      const p = (await adminPost(founder, '/v1/policy/proposals', { rules })) as { id: string };
      // the proposal reaches org1 by gossip; sign it there (retry until it has arrived)
      await until(() => eventTime(signer, 'policy:proposal', { id: p.id }) !== undefined, 30_000, `proposal ${v}`);
      await adminPost(signer, `/v1/policy/proposals/${encodeURIComponent(p.id)}/signatures`, {});
      await until(
        () => nodes.every((x) => eventTime(x, 'policy:applied', { version: v }) !== undefined),
        30_000,
        `bundle ${v} applied everywhere`,
      ).catch((err) => {
        const missing = nodes.filter((x) => eventTime(x, 'policy:applied', { version: v }) === undefined);
        const why = missing.map((x) => `${x.org}: ${x.daemon.stderr.split('\n').slice(-3).join(' | ')}`);
        throw new Error(`${(err as Error).message}; not applied on ${why.join('; ')}`);
      });
      const t0 = eventTime(signer, 'policy:applied', { version: v }) as number;
      latencies.push(Math.max(...others.map((x) => eventTime(x, 'policy:applied', { version: v }) as number)) - t0);
    }
    const seconds = (Date.now() - start) / 1000;
    const sorted = [...latencies].sort((a, b) => a - b);
    const load = await readFile('/proc/loadavg', 'utf8').catch(() => '');
    return {
      group: GROUP,
      name: `N = ${n} node processes: threshold-reaching signature → applied at every node, ${SETTLE ? 'federation quiet before each version' : 'versions back to back'}`,
      ops: VERSIONS,
      unit: 'bundle versions',
      opsPerSec: VERSIONS / seconds,
      notes: `p50 ${nearestRank(sorted, 50)} ms, p99 ${nearestRank(sorted, 99)} ms, max ${sorted.at(-1)} ms; policy threshold 2, every node checks the gossip signature and the bundle's member signatures; loadavg ${load.split(' ').slice(0, 3).join(' ')}`,
    };
  } finally {
    await stopCluster(nodes);
  }
}

export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = [evaluation()];
  out.push(...(await ingestOnOff()));
  for (const n of NODES) out.push(await propagation(n, true));
  for (const n of NODES) out.push(await propagation(n, false));
  return out;
}

await runAlone(import.meta, run);
