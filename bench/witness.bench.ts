/**
 * Witnessing and cross-org proofs (issue 6), on N real daemons on this machine (bench/cluster.ts):
 *
 *  1. Signed → witnessed, N = 4, 10 and 20 (GOVFED_WITNESS_NODES): org0 appends one decision, its log
 *     signs a checkpoint (checkpoint interval 1 s) and org0's node asks every other member's witness
 *     directly (C2SP tlog-witness add-checkpoint over /govfed/witness/1.0.0, with the consistency proof
 *     from the size that witness last cosigned); each verifies org0's signature and the proof, stores the
 *     new size atomically and answers its cosignature (C2SP tlog-cosignature v1); org0 verifies each
 *     against the charter's witness keys and, with k of them, gossips the witnessed checkpoint once.
 *     Latency = org0's `witness:witnessed` event's lagMs: from the moment the checkpoint was signed to
 *     holding k valid cosignatures (k = majority of the others: 2 of 3, 5 of 9, 10 of 19).
 *     GOVFED_WITNESS_CHECKPOINTS (default 20) checkpoints, one after another. Messages per checkpoint:
 *     the add-checkpoint requests and witnessed-checkpoint gossips all nodes made during the run
 *     (govfed_witness_requests_total, govfed_witness_checkpoints_gossiped_total), divided by the
 *     checkpoints — O(N): N − 1 requests and one gossip.
 *  2. Cross-org proof through the local node, N = 4: GET /v1/proofs/inclusion?origin=<org3>&index=i asked
 *     of org0's node for random i: org0 fetches the entry and the inclusion proof from org3 over libp2p,
 *     verifies them against org3's newest witnessed checkpoint, returns the bundle. Sequential requests,
 *     p50 / p99 ms over GOVFED_WITNESS_PROOFS (default 200); loopback.
 *  3. Offline verification of those bundles, in process: verifyCrossOrgBundle (charter chain from the
 *     genesis, the log's signature, k cosignatures, the inclusion proof, the leaf) with the federation id
 *     pinned — what `govfed verify` does after reading the file.
 */
import { readFile } from 'node:fs/promises';
import { opensslVerify } from '../node/crypto/ed25519.ts';
import { type Ed25519Verify, verify as pureVerify } from '../protocol/crypto/ed25519.ts';
import { verifyCrossOrgBundle } from '../protocol/witness/index.ts';
import { adminPost } from '../test/helpers/federation.ts';
import { makeRecords } from '../test/helpers/records.ts';
import { runAlone } from './alone.ts';
import { type FedNode, startCluster, stopCluster } from './cluster.ts';
import { prng } from './prng.ts';
import { intListSetting, intSetting } from './settings.ts';
import { nearestRank, percentile } from './stats.ts';
import type { BenchResult } from './types.ts';
import { measureWitnessed } from './witness-helpers.ts';

const GROUP = 'witness';
const NODES = intListSetting('GOVFED_WITNESS_NODES', '4,10,20');
const CHECKPOINTS = intSetting('GOVFED_WITNESS_CHECKPOINTS', 20);
const PROOFS = intSetting('GOVFED_WITNESS_PROOFS', 200);
const ENTRIES = 1000;

async function loadavg(): Promise<string> {
  const load = await readFile('/proc/loadavg', 'utf8').catch(() => '');
  return load.split(' ').slice(0, 3).join(' ');
}

async function witnessed(n: number): Promise<BenchResult> {
  const nodes = await startCluster(n);
  try {
    await new Promise((r) => setTimeout(r, 2000)); // let gossipsub meshes settle
    const { sorted, k, messages } = await measureWitnessed(nodes, CHECKPOINTS, `w${n}`);
    return {
      group: GROUP,
      name: `N = ${n} node processes: checkpoint signed → witnessed by k = ${k} of ${n - 1} other members`,
      ops: CHECKPOINTS,
      unit: 'checkpoints',
      opsPerSec: CHECKPOINTS / (sorted.reduce((a, b) => a + b, 0) / 1000),
      notes: `p50 ${nearestRank(sorted, 50)} ms, p99 ${nearestRank(sorted, 99)} ms, max ${sorted.at(-1)} ms (rate = 1 / mean latency); messages: ${messages}; each witness verifies the log signature and a consistency proof before cosigning; loadavg ${await loadavg()}`,
    };
  } finally {
    await stopCluster(nodes);
  }
}

async function proofs(): Promise<BenchResult[]> {
  const nodes = await startCluster(4);
  try {
    const [asker, , , owner] = nodes as [FedNode, FedNode, FedNode, FedNode];
    for (let i = 0; i < ENTRIES; i += 500) {
      await adminPost(owner, '/v1/decisions', makeRecords(500, `p${i}`));
    }
    const federationId = (
      (await (await asker.daemon.fetch('/v1/federation', { token: asker.adminToken })).json()) as {
        id: string;
      }
    ).id;
    // wait until the asker holds a witnessed checkpoint covering every entry
    const fetchBundle = async (index: number): Promise<{ status: number; body: unknown; ms: number }> => {
      const t0 = performance.now();
      const res = await asker.daemon.fetch(
        `/v1/proofs/inclusion?origin=${encodeURIComponent(owner.init.origin)}&index=${index}`,
        { token: asker.adminToken },
      );
      const body = await res.json();
      return { status: res.status, body, ms: performance.now() - t0 };
    };
    const end = Date.now() + 60_000;
    for (;;) {
      const r = await fetchBundle(ENTRIES);
      if (r.status === 200 && ((r.body as { treeSize: number }).treeSize ?? 0) > ENTRIES) break;
      if (Date.now() > end)
        throw new Error(`no witnessed checkpoint covering ${ENTRIES} entries: ${JSON.stringify(r.body)}`);
      await new Promise((r2) => setTimeout(r2, 200));
    }
    const rand = prng(42);
    for (let i = 0; i < 20; i++) await fetchBundle(1 + Math.floor(rand() * ENTRIES)); // warm-up
    const times: number[] = [];
    const bundles: unknown[] = [];
    const start = performance.now();
    for (let i = 0; i < PROOFS; i++) {
      const r = await fetchBundle(1 + Math.floor(rand() * ENTRIES));
      if (r.status !== 200) throw new Error(`proof: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      times.push(r.ms);
      bundles.push(r.body);
    }
    const seconds = (performance.now() - start) / 1000;
    const sorted = [...times].sort((a, b) => a - b);
    const verifyAll = (verify: Ed25519Verify): { sorted: number[]; seconds: number } => {
      const vtimes: number[] = [];
      const vstart = performance.now();
      for (const b of bundles) {
        const t0 = performance.now();
        verifyCrossOrgBundle(b, { federationId, verify });
        vtimes.push(performance.now() - t0);
      }
      return { sorted: [...vtimes].sort((a, b) => a - b), seconds: (performance.now() - vstart) / 1000 };
    };
    const pure = verifyAll(pureVerify); // pure JS (@noble/ed25519): any JavaScript runtime
    const openssl = verifyAll(opensslVerify); // what `govfed verify` does on Node
    const first = bundles[0] as { federation?: { charters?: unknown[] }; witnessKeys?: unknown[] };
    return [
      {
        group: GROUP,
        name: 'cross-org inclusion proof through the local node (N = 4, fetch from the owner over libp2p + verify)',
        ops: PROOFS,
        unit: 'proofs',
        opsPerSec: PROOFS / seconds,
        notes: `p50 ${percentile(sorted, 0.5).toFixed(2)} ms, p99 ${percentile(sorted, 0.99).toFixed(2)} ms over HTTP on loopback, sequential, owner log of ${ENTRIES + 1} entries; loadavg ${await loadavg()}`,
      },
      ...(
        [
          ['pure JS, @noble/ed25519 (any JavaScript runtime)', pure],
          ['OpenSSL equation via node:crypto (govfed verify)', openssl],
        ] as const
      ).map(([how, v]) => ({
        group: GROUP,
        name: `offline verification of a cross-org bundle (verifyCrossOrgBundle, federation pinned), ${how}`,
        ops: bundles.length,
        unit: 'bundles',
        opsPerSec: bundles.length / v.seconds,
        notes: `p50 ${percentile(v.sorted, 0.5).toFixed(2)} ms, p99 ${percentile(v.sorted, 0.99).toFixed(2)} ms; re-verifies the charter chain (${first.federation?.charters?.length ?? '?'} versions), the log signature, ${first.witnessKeys?.length ?? '?'} cosignatures and the inclusion proof`,
      })),
    ];
  } finally {
    await stopCluster(nodes);
  }
}

export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const n of NODES) out.push(await witnessed(n));
  out.push(...(await proofs()));
  return out;
}

await runAlone(import.meta, run);
