/**
 * The model registry (issue 13), two measurements:
 *
 *  1. Propagation, N = 5, 10, 20 node processes (GOVFED_REGISTRY_NODES): org0's model_owner registers
 *     GOVFED_REGISTRY_VERSIONS (default 10) model versions one after another (signed here with her key,
 *     POST /v1/models on org0 — what `govfed model register` does); then org1's risk_officer approves each
 *     (POST …/approvals on org1). Latency of one record = (latest `registry:model` / `registry:approval`
 *     time among the other N − 1 nodes) − (the time the node it was posted to took it). Every receiver
 *     verifies the gossip envelope, the person's signature against its copy of the roster, recomputes
 *     the risk score, logs and stores the record before the event.
 *  2. Durable ingest with registry resolution on vs off, same run, same daemon (a one-node federation with
 *     one approved model): POST /v1/decisions, batches of 1,000, 8 keep-alive clients (bench/ingest-
 *     http.bench.ts's driver). "off": the records name a plain model string (resolution stops at the
 *     NAME@VERSION syntax: nothing is looked up — the cost of a node without a registry); "on": they name
 *     the registered version, so every decision is looked up, its status read (cached), and its digest and
 *     flags sealed into the leaf. Rounds off/on/off/on, GOVFED_BENCH_SECONDS (default 10) each. Goal:
 *     resolution costs ≤ 10 % of ingest throughput.
 */
import path from 'node:path';
import { signedRegistration } from '../cli/registry-signer.ts';
import { readIdentityKey } from '../node/registry/identity-key.ts';
import { signApproval } from '../protocol/registry/index.ts';
import { externalDigest } from '../protocol/registry/oms/index.ts';
import { removeDir, runCliJson } from '../test/helpers/cli.ts';
import { DaemonProcess, initNode } from '../test/helpers/daemon.ts';
import { adminPost } from '../test/helpers/federation.ts';
import { runAlone } from './alone.ts';
import { eventTime, type FedNode, startCluster, stopCluster, until } from './cluster.ts';
import { measureOnOff, onOffResults } from './on-off.ts';
import { intListSetting, intSetting } from './settings.ts';
import { nearestRank } from './stats.ts';
import type { BenchResult } from './types.ts';

const GROUP = 'registry';
const NODES = intListSetting('GOVFED_REGISTRY_NODES', '5,10,20');
const VERSIONS = intSetting('GOVFED_REGISTRY_VERSIONS', 10);
/** How long one record may take to reach every node (N = 20 on 2 cores: the O(N²) witnessing of #17). */
const RECORD_TIMEOUT_MS = 300_000;

async function person(n: { home: string; tmp: string }, name: string, role: string) {
  const file = path.join(n.tmp, `${name}.key`);
  await runCliJson(
    ['identity', 'create', '--home', n.home, '--name', name, '--role', role, '--key-out', file, '--json'],
    { timeoutMs: 300_000 },
  ); // 20 node processes on 2 cores: a CLI process starts slowly
  const k = await readIdentityKey(file);
  return { name, role, signer: { keyid: k.keyid, seed: k.seed } };
}

type Person = Awaited<ReturnType<typeof person>>;

/** A registration of the external model `org/name@version`, signed by `p` (risk under no baseline), as the CLI makes it. */
function registration(federation: string, org: string, name: string, version: string, p: Person) {
  const external = { provider: 'bench', model: name, snapshot: version };
  const digest = externalDigest(external).digest;
  const { envelope } = signedRegistration({
    who: { signer: p.signer, person: { org, name: p.name, role: p.role }, federationId: federation },
    ref: { org, name, version },
    jurisdiction: 'EU',
    model: { digest, assurance: 'opaque', external },
    card: undefined,
    held: undefined,
  });
  return { envelope, digest };
}

async function federationId(n: Pick<FedNode, 'daemon' | 'adminToken'>): Promise<string> {
  const res = await n.daemon.fetch('/v1/federation', { token: n.adminToken });
  return ((await res.json()) as { id: string }).id;
}

async function propagation(n: number): Promise<BenchResult[]> {
  const nodes = await startCluster(n);
  try {
    const [owner, approver, ...rest] = nodes as [FedNode, FedNode, ...FedNode[]];
    const alice = await person(owner, 'alice', 'model_owner');
    const rita = await person(approver, 'rita', 'risk_officer');
    await until(
      () =>
        nodes.every(
          (x) =>
            eventTime(x, 'registry:roster', { rosterOrg: owner.org }) !== undefined &&
            eventTime(x, 'registry:roster', { rosterOrg: approver.org }) !== undefined,
        ),
      RECORD_TIMEOUT_MS,
      'rosters everywhere',
    );
    await new Promise((r) => setTimeout(r, 2000)); // let gossipsub meshes settle
    const fed = await federationId(owner);
    const start = Date.now();
    const reg: number[] = [];
    const appr: number[] = [];
    const spread = (
      origin: FedNode,
      others: FedNode[],
      event: 'registry:model' | 'registry:approval',
      model: string,
    ) => {
      const t0 = eventTime(origin, event, { model }) as number;
      return Math.max(...others.map((x) => eventTime(x, event, { model }) as number)) - t0;
    };
    for (let v = 1; v <= VERSIONS; v++) {
      const model = `${owner.org}/bench-model@${v}`;
      const r = registration(fed, owner.org, 'bench-model', String(v), alice);
      await adminPost(owner, '/v1/models', { envelope: r.envelope });
      await until(
        () => nodes.every((x) => eventTime(x, 'registry:model', { model }) !== undefined),
        RECORD_TIMEOUT_MS,
        `${model} everywhere`,
      );
      reg.push(spread(owner, [approver, ...rest], 'registry:model', model));
      const now = new Date();
      const approval = signApproval(
        r.digest,
        {
          federation: fed,
          model: { org: owner.org, name: 'bench-model', version: String(v) },
          approver: { org: approver.org, name: rita.name, role: rita.role },
          decision: 'approve',
          issuedAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
        },
        rita.signer,
      );
      await adminPost(approver, `/v1/models/bench-model/${v}/approvals?org=${owner.org}`, { envelope: approval });
      await until(
        () => nodes.every((x) => eventTime(x, 'registry:approval', { model }) !== undefined),
        RECORD_TIMEOUT_MS,
        `approval of ${model} everywhere`,
      );
      appr.push(spread(approver, [owner, ...rest], 'registry:approval', model));
    }
    const line = (kind: string, xs: number[]): BenchResult => {
      const sorted = [...xs].sort((a, b) => a - b);
      return {
        group: GROUP,
        name: `N = ${n} node processes: ${kind} taken by the node it was posted to → taken at every node`,
        ops: xs.length,
        unit: `${kind}s`,
        opsPerSec: xs.length / ((Date.now() - start) / 1000),
        notes: `p50 ${nearestRank(sorted, 50)} ms, p99 ${nearestRank(sorted, 99)} ms, max ${sorted.at(-1)} ms over ${xs.length} ${kind}s; each receiver verifies the person's signature against its roster copy, recomputes the risk, logs and stores it`,
      };
    };
    return [line('registration', reg), line('approval', appr)];
  } finally {
    await stopCluster(nodes);
  }
}

async function ingestOnOff(): Promise<BenchResult[]> {
  const node = await initNode('bench-registry');
  let daemon: DaemonProcess | undefined;
  try {
    const { token } = await runCliJson<{ token: string }>(['token', 'create', '--home', node.home, '--role', 'ingest']);
    daemon = await DaemonProcess.start(node.home);
    const d = daemon;
    const fed = { daemon: d, adminToken: node.adminToken };
    await adminPost(fed, '/v1/federation', { name: 'bench registry' });
    const alice = await person(node, 'alice', 'model_owner');
    const r = registration(await federationId(fed), 'bench-registry', 'scorer', '1', alice);
    await adminPost(fed, '/v1/models', { envelope: r.envelope }); // tier low, no rule: approved
    const rates = await measureOnOff(d.url, token, async (phase) => (phase === 'on' ? 'scorer@1' : undefined));
    const exit = await d.stop('SIGTERM');
    if (exit.code !== 0) throw new Error(`daemon exited with ${exit.code ?? exit.signal}`);
    return onOffResults(
      GROUP,
      rates,
      {
        off: 'durable ingest over HTTP, registry resolution off (plain model string), batches of 1,000',
        on: 'durable ingest over HTTP, registry resolution on (an approved NAME@VERSION), batches of 1,000',
      },
      'resolution',
      ' (goal ≤ 10 %)',
    );
  } finally {
    if (daemon !== undefined) await daemon.kill9();
    await removeDir(node.tmp);
  }
}

export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = [...(await ingestOnOff())];
  for (const n of NODES) out.push(...(await propagation(n)));
  return out;
}

await runAlone(import.meta, run);
