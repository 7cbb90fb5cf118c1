/**
 * The compliance report across orgs (issue 15; docs/reports.md): a model deployed in N = 10 orgs
 * (GOVFED_REPORT_NODES), real nodes 5 per process (bench/hosted-cluster.ts: each a real Daemon with its
 * own LevelDB, libp2p over TCP on 127.0.0.1 and HTTP server). org0 registers it (tier low: approved
 * without votes), every org deploys it and records GOVFED_REPORT_DECISIONS (default 200) decisions of it.
 * One report is built first (every org signs and logs its counts statement; they get witnessed). Then
 * GOVFED_REPORT_RUNS (default 10) times: org5 — a member that did not register it — is asked for the
 * report over HTTP (it gathers every org's records and counts over libp2p, proves each in its maker's
 * witnessed log, summarises and signs), and the file is verified here with protocol/report (every
 * signature, checkpoint, proof; every count recomputed). Timed: request to verified. Goal ≤ 1 s.
 * A second row: the same after every org recorded new decisions (each org signs a fresh counts
 * statement and a checkpoint at once, which the witnesses must cosign before it is proven).
 */
import path from 'node:path';
import { signedRegistration } from '../cli/registry-signer.ts';
import { opensslVerify } from '../node/crypto/ed25519.ts';
import { readIdentityKey } from '../node/registry/identity-key.ts';
import { externalDigest } from '../protocol/registry/oms/index.ts';
import { reportFileBytes, type SignedReport } from '../protocol/report/report.ts';
import { verifyReport } from '../protocol/report/verify.ts';
import { runCliJson } from '../test/helpers/cli.ts';
import { adminPost } from '../test/helpers/federation.ts';
import { runAlone } from './alone.ts';
import type { FedNode } from './cluster.ts';
import { startHostedCluster } from './hosted-cluster.ts';
import { intSetting } from './settings.ts';
import { nearestRank } from './stats.ts';
import type { BenchResult } from './types.ts';

const GROUP = 'report';
const N = intSetting('GOVFED_REPORT_NODES', 10);
const DECISIONS = intSetting('GOVFED_REPORT_DECISIONS', 200, 0);
const RUNS = intSetting('GOVFED_REPORT_RUNS', 10);
const NAME = 'bench-model';

async function waitUntil(what: string, fn: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > end) throw new Error(`report bench: ${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function decide(n: FedNode, count: number): Promise<void> {
  const records = Array.from({ length: count }, (_, i) => ({ model: `org0/${NAME}@1`, output: { score: i / count } }));
  await adminPost(n, '/v1/decisions', records);
}

/** One report from `asker`, built and verified: its milliseconds and what it held. */
async function timedReport(asker: FedNode): Promise<{ ms: number; evidence: number; decisions: number; gaps: number }> {
  const t0 = performance.now();
  const res = await asker.daemon.fetch(`/v1/reports/models/${NAME}?org=org0&version=1`, { token: asker.adminToken });
  if (res.status !== 200) throw new Error(`report: ${res.status} ${await res.text()}`);
  const bytes = reportFileBytes((await res.json()) as SignedReport);
  const v = verifyReport(bytes, { now: Date.now(), verify: opensslVerify });
  const ms = performance.now() - t0;
  return { ms, evidence: v.evidence, decisions: v.report.summary.total.decisions, gaps: v.report.gaps.length };
}

export async function run(): Promise<BenchResult[]> {
  const cluster = await startHostedCluster(N, 5);
  try {
    const nodes = cluster.nodes;
    const owner = nodes[0] as FedNode;
    const asker = nodes[Math.min(5, nodes.length - 1)] as FedNode;
    const fed = (await (await owner.daemon.fetch('/v1/federation', { token: owner.adminToken })).json()) as {
      id: string;
    };
    const keyFile = path.join(owner.tmp, 'alice.key');
    await runCliJson(
      [
        'identity',
        'create',
        '--home',
        owner.home,
        '--name',
        'alice',
        '--role',
        'model_owner',
        '--key-out',
        keyFile,
        '--json',
      ],
      { timeoutMs: 60_000 },
    );
    const k = await readIdentityKey(keyFile);
    const who = {
      signer: { keyid: k.keyid, seed: k.seed },
      person: { org: 'org0', name: 'alice', role: 'model_owner' },
      federationId: fed.id,
    };
    const external = { provider: 'bench', model: NAME, snapshot: '1' };
    const ref = { org: 'org0', name: NAME, version: '1' };
    const model = { digest: externalDigest(external).digest, assurance: 'opaque' as const, external };
    // The roster with alice must reach every member before they take her registration.
    await waitUntil('the roster on every member', async () => {
      const all = await Promise.all(
        nodes.map(
          async (n) => (await n.daemon.fetch('/v1/identities?org=org0', { token: n.adminToken })).status === 200,
        ),
      );
      return all.every(Boolean);
    });
    const { envelope } = signedRegistration({ who, ref, jurisdiction: 'EU', model, card: undefined, held: undefined });
    await adminPost(owner, '/v1/models', { envelope });
    await waitUntil('the approved version on every member', async () => {
      const st = await Promise.all(
        nodes.map(async (n) => {
          const r = await n.daemon.fetch(`/v1/models/${NAME}/1?org=org0`, { token: n.adminToken });
          return r.status === 200 && ((await r.json()) as { status: string }).status === 'approved';
        }),
      );
      return st.every(Boolean);
    });
    for (const n of nodes) await adminPost(n, '/v1/deployments', { org: 'org0', name: NAME, version: '1' });
    await Promise.all(nodes.map((n) => decide(n, DECISIONS)));
    // Every deployment record on the asker, then a first report (counts statements signed and witnessed).
    await waitUntil('every deployment on the asker', async () => {
      const r = await asker.daemon.fetch(`/v1/deployments?model=org0/${NAME}@1`, { token: asker.adminToken });
      return ((await r.json()) as { deployments: unknown[] }).deployments.length === N;
    });
    const first = await timedReport(asker);
    if (first.gaps > 0 || first.decisions !== N * DECISIONS) {
      throw new Error(`first report: ${first.gaps} gaps, ${first.decisions} decisions (expected ${N * DECISIONS})`);
    }
    const warm: number[] = [];
    let last = first;
    for (let i = 0; i < RUNS; i++) {
      last = await timedReport(asker);
      warm.push(last.ms);
    }
    warm.sort((a, b) => a - b);
    // New decisions everywhere: each org signs a fresh statement, witnessed before it is proven.
    await Promise.all(nodes.map((n) => decide(n, 10)));
    const fresh = await timedReport(asker);
    if (fresh.decisions !== N * (DECISIONS + 10)) throw new Error(`fresh report: ${fresh.decisions} decisions`);
    const mean = warm.reduce((a, b) => a + b, 0) / warm.length;
    return [
      {
        group: GROUP,
        name: `report on a model deployed in ${N} orgs (${cluster.hosts} processes), asked of a member, built and verified`,
        ops: RUNS,
        unit: 'reports',
        opsPerSec: 1000 / mean,
        notes: `p50 ${nearestRank(warm, 50).toFixed(0)} ms, max ${(warm.at(-1) as number).toFixed(0)} ms (goal ≤ 1 s); ${last.evidence} evidence items, ${last.decisions} decisions counted (${DECISIONS} per org): the cost is per org and record, not per decision`,
      },
      {
        group: GROUP,
        name: `the same right after every org recorded new decisions (fresh counts statements, witnessed first)`,
        ops: 1,
        unit: 'reports',
        opsPerSec: 1000 / fresh.ms,
        notes: `${fresh.ms.toFixed(0)} ms: each member signs a checkpoint at once, then the witnesses cosign it; first report of the run ${first.ms.toFixed(0)} ms`,
      },
    ];
  } finally {
    await cluster.stop();
  }
}

await runAlone(import.meta, run);
