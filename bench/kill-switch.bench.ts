/**
 * Trust contracts and the kill switch (issue 14), on real daemons (bench/cluster.ts):
 *
 *  1. Contract enforcement on ingest, on vs off in the same run and daemon: POST /v1/decisions batches of
 *     1,000 by 8 clients (bench/on-off.ts) for a registered version without a contract, then for one
 *     under a contract with 5 conditions, twice each; the cost = 1 − on/off.
 *  2. Kill switch, N = 5, 10, 20 node processes (GOVFED_KILL_NODES): a risk officer of org1 signs a
 *     suspension of org0's model and posts it to org1's node; every node verifies it against its roster
 *     copy, appends it to its log, stores it and from then on denies the model. Latency = the latest
 *     `registry:revocation` event among all nodes − the moment it was signed. Each round also checks one
 *     decision is denied `suspended` on every node (not timed) and reinstates the model. GOVFED_KILL_ROUNDS
 *     (default 10) rounds, measured twice, as the policy bench does: with the federation quiet before each
 *     suspension (no checkpoint cosigned anywhere for 1.5 s, 15 s at most — suspensions are rare, so this
 *     is the normal case) and back to back (each round right after the previous, while the witnesses
 *     still work on the checkpoints the previous records caused on every node: a stress case).
 */
import { readFile } from 'node:fs/promises';
import { signedContract, signedRegistration } from '../cli/registry-signer.ts';
import { generateKeyPair } from '../protocol/crypto/ed25519.ts';
import { keyIdOf } from '../protocol/dsse/index.ts';
import { toBase64 } from '../protocol/encoding/bytes.ts';
import { type RevocationAction, signRevocation } from '../protocol/registry/index.ts';
import { externalDigest } from '../protocol/registry/oms/index.ts';
import { removeDir, runCliJson } from '../test/helpers/cli.ts';
import { DaemonProcess, initNode } from '../test/helpers/daemon.ts';
import { adminPost } from '../test/helpers/federation.ts';
import { runAlone } from './alone.ts';
import { events, type FedNode, quiet, startCluster, stopCluster, until } from './cluster.ts';
import { measureOnOff, onOffResults } from './on-off.ts';
import { intListSetting, intSetting } from './settings.ts';
import { nearestRank } from './stats.ts';
import type { BenchResult } from './types.ts';

const GROUP = 'kill-switch';
const NODES = intListSetting('GOVFED_KILL_NODES', '5,10,20');
const ROUNDS = intSetting('GOVFED_KILL_ROUNDS', 10);
const RECORD_TIMEOUT_MS = 300_000;
/** Longest wait for a quiet federation before a suspension (as the policy bench). */
const QUIET_MAX_MS = 15_000;

/** A person with a key made here; only the public key goes to the node (what `govfed identity create` does). */
async function person(n: Pick<FedNode, 'daemon' | 'adminToken'>, name: string, role: string) {
  const pair = generateKeyPair();
  await adminPost(n, '/v1/identities', { name, role, publicKey: toBase64(pair.publicKey) });
  return { name, role, signer: { keyid: keyIdOf(pair.publicKey), seed: pair.seed } };
}

type Person = Awaited<ReturnType<typeof person>>;

async function federationId(n: Pick<FedNode, 'daemon' | 'adminToken'>): Promise<string> {
  const res = await n.daemon.fetch('/v1/federation', { token: n.adminToken });
  return ((await res.json()) as { id: string }).id;
}

/** Registers the external model `org/name@1` signed by `p` (no baseline: tier low), with `terms` as its contract. */
async function register(
  n: Pick<FedNode, 'daemon' | 'adminToken'>,
  fed: string,
  org: string,
  name: string,
  p: Person,
  terms?: Parameters<typeof signedContract>[0]['terms'],
): Promise<string> {
  const external = { provider: 'bench', model: name, snapshot: '1' };
  const digest = externalDigest(external).digest;
  const who = { signer: p.signer, person: { org, name: p.name, role: p.role }, federationId: fed };
  const ref = { org, name, version: '1' };
  const { envelope } = signedRegistration({
    who,
    ref,
    jurisdiction: 'EU',
    model: { digest, assurance: 'opaque', external },
    card: undefined,
    held: undefined,
  });
  const contract =
    terms === undefined ? undefined : signedContract({ who, model: { ...ref, digest }, version: 1, terms });
  await adminPost(n, '/v1/models', { envelope, ...(contract === undefined ? {} : { contract }) });
  return digest;
}

async function killSwitch(n: number): Promise<BenchResult[]> {
  const nodes = await startCluster(n);
  try {
    const [owner, officerNode] = nodes as [FedNode, FedNode, ...FedNode[]];
    const alice = await person(owner, 'alice', 'model_owner');
    const rita = await person(officerNode, 'rita', 'risk_officer');
    await until(
      () =>
        nodes.every((x) =>
          [owner.org, officerNode.org].every((org) => events(x, 'registry:roster', { rosterOrg: org }).length > 0),
        ),
      RECORD_TIMEOUT_MS,
      'rosters everywhere',
    );
    const fed = await federationId(owner);
    const digest = await register(owner, fed, owner.org, 'bench-model', alice);
    const model = `${owner.org}/bench-model@1`;
    await until(
      () => nodes.every((x) => events(x, 'registry:model', { model }).length > 0),
      RECORD_TIMEOUT_MS,
      `${model} everywhere`,
    );
    await new Promise((r) => setTimeout(r, 2000)); // let gossipsub meshes settle
    const pull = async (action: RevocationAction, round: number): Promise<number> => {
      const envelope = signRevocation(
        digest,
        {
          federation: fed,
          model: { org: owner.org, name: 'bench-model', version: '1' },
          action,
          reason: `bench round ${round}`,
          signer: { org: officerNode.org, name: rita.name, role: rita.role },
          issuedAt: new Date().toISOString(),
        },
        rita.signer,
      );
      const signedAt = Date.now();
      await adminPost(officerNode, `/v1/models/bench-model/1/revocations?org=${owner.org}`, { envelope });
      const seen = round * 2 + (action === 'suspend' ? 1 : 2);
      await until(
        () => nodes.every((x) => events(x, 'registry:revocation', { model }).length >= seen),
        RECORD_TIMEOUT_MS,
        `${action} ${round} everywhere`,
      );
      return (
        Math.max(...nodes.map((x) => events(x, 'registry:revocation', { model })[seen - 1]?.at as number)) - signedAt
      );
    };
    const results: BenchResult[] = [];
    let round = 0;
    for (const settle of [true, false]) {
      const latencies: number[] = [];
      const start = Date.now();
      for (let i = 0; i < ROUNDS; i++, round++) {
        if (settle) await quiet(nodes, QUIET_MAX_MS);
        latencies.push(await pull('suspend', round));
        for (const x of nodes) await assertDenied(x, model);
        await pull('reinstate', round);
      }
      const sorted = [...latencies].sort((a, b) => a - b);
      results.push({
        group: GROUP,
        name: `N = ${n} node processes: suspension signed → decisions denied on every node, ${settle ? 'federation quiet before each' : 'back to back'}`,
        ops: latencies.length,
        unit: 'suspensions',
        opsPerSec: latencies.length / ((Date.now() - start) / 1000),
        notes: `p50 ${nearestRank(sorted, 50)} ms, p99 ${nearestRank(sorted, 99)} ms, max ${sorted.at(-1)} ms over ${latencies.length} suspensions; every node verifies the officer's signature against its roster copy, logs and stores the record before it denies; loadavg ${(await readFile('/proc/loadavg', 'utf8').catch(() => '')).split(' ').slice(0, 3).join(' ')}`,
      });
    }
    return results;
  } finally {
    await stopCluster(nodes);
  }
}

/** One decision of `model` on `x` is denied `suspended` (a check, not timed). */
async function assertDenied(x: FedNode, model: string): Promise<void> {
  const res = await x.daemon.fetch('/v1/decisions', {
    method: 'POST',
    token: x.adminToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, output: { score: 1 } }),
  });
  const e = ((await res.json()) as { entries: { deny?: { rule: string }[] }[] }).entries[0];
  if (!(e?.deny ?? []).some((f) => f.rule === 'suspended')) throw new Error(`${x.org} did not deny ${model}`);
}

async function ingestOnOff(): Promise<BenchResult[]> {
  const node = await initNode('bench-contract', ['--jurisdiction', 'DE']);
  let daemon: DaemonProcess | undefined;
  try {
    const { token } = await runCliJson<{ token: string }>(['token', 'create', '--home', node.home, '--role', 'ingest']);
    daemon = await DaemonProcess.start(node.home);
    const d = daemon;
    const fed = { daemon: d, adminToken: node.adminToken };
    await adminPost(fed, '/v1/federation', { name: 'bench contracts' });
    const alice = await person(fed, 'alice', 'model_owner');
    const id = await federationId(fed);
    await register(fed, id, 'bench-contract', 'plain', alice);
    await register(fed, id, 'bench-contract', 'bound', alice, {
      allowedJurisdictions: ['DE', 'FR'],
      forbiddenDataClasses: ['biometric'],
      maxRiskTier: 'high',
      oversight: { humanInLoop: false },
      notAfter: '2099-01-01T00:00:00Z',
    });
    const rates = await measureOnOff(d.url, token, async (phase) => (phase === 'on' ? 'bound@1' : 'plain@1'));
    const exit = await d.stop('SIGTERM');
    if (exit.code !== 0) throw new Error(`daemon exited with ${exit.code ?? exit.signal}`);
    return onOffResults(
      GROUP,
      rates,
      {
        off: 'durable ingest over HTTP, a registered version without a contract, batches of 1,000',
        on: 'durable ingest over HTTP, a registered version under a contract (5 conditions checked), batches of 1,000',
      },
      'contract enforcement',
      ' (goal ≤ 10 %)',
    );
  } finally {
    if (daemon !== undefined) await daemon.kill9();
    await removeDir(node.tmp);
  }
}

export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = [...(await ingestOnOff())];
  for (const n of NODES) out.push(...(await killSwitch(n)));
  return out;
}

await runAlone(import.meta, run);
