/**
 * Crash safety: while several clients ingest at full speed, the daemon is killed with SIGKILL at random
 * moments, several times. After each kill and restart:
 *   - the store passes `govfed audit fsck` on its own (the daemon is down, nothing repaired it);
 *   - every acknowledged index is still there with the acknowledged leaf hash: the Merkle root computed
 *     here from the acknowledged leaf hashes (plus the few entries that were written but never
 *     acknowledged, fetched from the node) equals the root of a checkpoint the node signs after the
 *     restart, and a random sample of entries is fetched and hashed directly;
 *   - every checkpoint seen before any crash is consistent with the new one (consistency proofs);
 *   - `govfed audit fsck` passes through the running daemon.
 * The kill moments come from a seeded PRNG; the seed is in every failure message (GOVFED_CRASH_SEED).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../protocol/encoding/bytes.ts';
import { leafHash, MemoryTree, verifyConsistency } from '../../protocol/log/index.ts';
import { type Checkpoint, openCheckpoint, parseVerifierKey } from '../../protocol/note/index.ts';
import { removeDir, runCliJson } from '../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../helpers/daemon.ts';
import { getBytes, getJson, hashes, makeRecords, postDecisions } from '../helpers/records.ts';

const KILLS = 4;
const CLIENTS = 4;
const BATCH = 100;
const SAMPLE = 200;
const SEED = Number(process.env.GOVFED_CRASH_SEED ?? Date.now() % 1_000_000);

/** mulberry32: a small seeded PRNG, so that a failing schedule can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(SEED);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ctx = `seed ${SEED}`;

let node: TestNode;
let daemon: DaemonProcess;
let ingestToken: string;
/** index → base64 leaf hash, for every acknowledged entry. */
const acked = new Map<number, string>();
/** Every checkpoint the node served (signature verified), across all runs. */
const seen = new Map<number, Checkpoint>();
const conflicts: string[] = [];
let maxAcked = -1;

function open(note: string): Checkpoint {
  return openCheckpoint(note, parseVerifierKey(node.init.verifierKey)).checkpoint;
}

function remember(cp: Checkpoint): void {
  const prev = seen.get(cp.size);
  if (prev !== undefined && toBase64(prev.rootHash) !== toBase64(cp.rootHash)) {
    conflicts.push(`two different checkpoints of size ${cp.size}`);
  }
  seen.set(cp.size, cp);
}

/** CLIENTS loops posting batches of BATCH as fast as acknowledgements come, plus a checkpoint poller. */
function startLoad(url: string, round: number): { firstAck: Promise<void>; stop: () => Promise<number> } {
  let stopped = false;
  let count = 0;
  let acknowledged: () => void = () => undefined;
  const firstAck = new Promise<void>((r) => {
    acknowledged = r;
  });
  const abort = new AbortController();
  const client = async (c: number) => {
    for (let seq = 0; !stopped; seq++) {
      try {
        const entries = await postDecisions(
          url,
          ingestToken,
          makeRecords(BATCH, `r${round}c${c}s${seq}`),
          abort.signal,
        );
        for (const e of entries) {
          const prev = acked.get(e.index);
          if (prev !== undefined) conflicts.push(`index ${e.index} acknowledged twice`);
          acked.set(e.index, e.leafHash);
          if (e.index > maxAcked) maxAcked = e.index;
        }
        count += entries.length;
        acknowledged();
      } catch {
        if (!stopped) await sleep(10);
      }
    }
  };
  const poller = async () => {
    while (!stopped) {
      try {
        const res = await fetch(`${url}/v1/log/checkpoint`, {
          headers: { authorization: `Bearer ${ingestToken}` },
          signal: abort.signal,
        });
        if (res.status === 200) remember(open(await res.text()));
      } catch {
        // the daemon is gone
      }
      await sleep(50);
    }
  };
  const all = Promise.all([...Array.from({ length: CLIENTS }, (_, c) => client(c)), poller()]);
  return {
    firstAck,
    async stop() {
      stopped = true;
      abort.abort();
      await all;
      return count;
    },
  };
}

/** The checks after a restart; returns the size of the checkpoint signed for them. */
async function checkRestarted(): Promise<number> {
  const res = await daemon.fetch('/v1/log/checkpoint', { method: 'POST', token: node.adminToken });
  expect(res.status, ctx).toBe(200);
  const cp = open(await res.text());
  expect(cp.size, `${ctx}: the log lost acknowledged entries`).toBeGreaterThan(maxAcked);

  // Root over every leaf: acknowledged hashes as acknowledged, the rest fetched.
  const tree = new MemoryTree();
  for (let i = 0; i < cp.size; i++) {
    const h = acked.get(i);
    if (h !== undefined) {
      tree.appendLeafHash(fromBase64(h));
    } else {
      tree.append(await getBytes(`${daemon.url}/v1/log/entries/${i}`, ingestToken));
    }
  }
  expect(toBase64(tree.root()), `${ctx}: acknowledged leaves differ from the log`).toBe(toBase64(cp.rootHash));

  // A direct sample of acknowledged entries.
  const indexes = [...acked.keys()];
  for (let k = 0; k < Math.min(SAMPLE, indexes.length); k++) {
    const i = indexes[Math.floor(random() * indexes.length)] as number;
    const bytes = await getBytes(`${daemon.url}/v1/log/entries/${i}`, ingestToken);
    expect(toBase64(leafHash(bytes)), `${ctx}: entry ${i}`).toBe(acked.get(i));
  }

  // The node keeps every checkpoint it signed: each one observed during the load is listed, unchanged.
  const kept = await keptCheckpoints();
  for (const [size, cp] of seen) {
    expect(kept.get(size), `${ctx}: checkpoint of size ${size} was not kept`).toBeDefined();
    expect(toBase64(kept.get(size)?.rootHash as Uint8Array), ctx).toBe(toBase64(cp.rootHash));
  }
  for (const c of kept.values()) remember(c);

  // Every checkpoint signed before the crashes is consistent with the new one.
  for (const old of seen.values()) {
    expect(old.size, `${ctx}: a checkpoint from before the crash is larger than the log`).toBeLessThanOrEqual(cp.size);
    const { proof } = await getJson<{ proof: string[] }>(
      `${daemon.url}/v1/log/proofs/consistency?from=${old.size}&to=${cp.size}`,
      ingestToken,
    );
    verifyConsistency(old.size, cp.size, hashes(proof), old.rootHash, cp.rootHash);
  }
  remember(cp);

  const fsck = await runCliJson<{ ok: boolean; via: string }>(['audit', 'fsck', '--home', node.home]);
  expect(fsck, ctx).toMatchObject({ ok: true, via: 'daemon' });
  return cp.size;
}

/** GET /v1/log/checkpoints, all pages, each note opened under the node's key. */
async function keptCheckpoints(): Promise<Map<number, Checkpoint>> {
  const out = new Map<number, Checkpoint>();
  for (let from = 0; ; ) {
    const page = await getJson<{ checkpoints: { size: number; note: string }[] }>(
      `${daemon.url}/v1/log/checkpoints?from=${from}&limit=1000`,
      ingestToken,
    );
    for (const c of page.checkpoints) {
      const cp = open(c.note);
      expect(cp.size, ctx).toBe(c.size);
      out.set(cp.size, cp);
    }
    const last = page.checkpoints.at(-1);
    if (last === undefined || page.checkpoints.length < 1000) return out;
    from = last.size + 1;
  }
}

beforeAll(async () => {
  node = await initNode('crash');
  ingestToken = (await runCliJson<{ token: string }>(['token', 'create', '--home', node.home, '--role', 'ingest']))
    .token;
});

afterAll(async () => {
  await killAllDaemons();
  if (node !== undefined) await removeDir(node.tmp);
});

describe('the daemon under kill -9', () => {
  describe(`when killed ${KILLS} times during full-speed ingest`, () => {
    it('keeps every acknowledged entry, passes fsck and signs only consistent checkpoints', async () => {
      const perRound: number[] = [];
      for (let round = 0; round < KILLS; round++) {
        daemon = await DaemonProcess.start(node.home);
        if (round > 0) await checkRestarted();
        const load = startLoad(daemon.url, round);
        // The kill comes at a random moment 300–1500 ms into full-speed ingest (timed from the first
        // acknowledgement, so that a slow start on a busy machine cannot leave a round without load).
        await load.firstAck;
        const delay = 300 + Math.floor(random() * 1200);
        await sleep(delay);
        const exit = await daemon.kill9();
        expect(exit.signal, ctx).toBe('SIGKILL');
        perRound.push(await load.stop());
        expect(perRound.at(-1), `${ctx}: round ${round} (${delay} ms) acknowledged nothing`).toBeGreaterThan(0);

        // The store on its own, before any restart could repair it.
        const fsck = await runCliJson<{ ok: boolean; via: string; size: number }>([
          'audit',
          'fsck',
          '--home',
          node.home,
        ]);
        expect(fsck, ctx).toMatchObject({ ok: true, via: 'store' });
        expect(fsck.size, ctx).toBeGreaterThan(maxAcked);
      }
      daemon = await DaemonProcess.start(node.home);
      const size = await checkRestarted();
      expect(conflicts, ctx).toEqual([]);
      expect(size).toBeGreaterThanOrEqual(acked.size);
      expect(await daemon.stop('SIGTERM'), ctx).toEqual({ code: 0, signal: null });
      console.info(`crash test (${ctx}): acknowledged per run ${perRound.join(', ')}; final log size ${size}`);
    }, 170_000);
  });
});
