import { describe, expect, it } from 'vitest';
import { AuditLog, type AuditLogOptions } from '../../../node/log/index.ts';
import { encodeSize, hashKey, leafKey, SIZE_KEY } from '../../../node/log/keys.ts';
import type { LogStoreSpec } from '../../../node/log/store.ts';
import { encodeLeaf } from '../../../protocol/audit/index.ts';
import { EMPTY_ROOT, leafHash, MemoryTree, verifyConsistency, verifyInclusion } from '../../../protocol/log/index.ts';
import { ed25519Signer, openCheckpoint, parseVerifierKey } from '../../../protocol/note/index.ts';
import { recordingVerifier, rejectAll } from '../../helpers/verify.ts';
import { describeStores, items, leafBytes, ORIGIN, recordBytes, signer, sleep, verifierKey } from './helpers.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const verifier = parseVerifierKey(verifierKey);
const HOUR = 3_600_000;

async function allCheckpoints(log: AuditLog) {
  const out: { size: number; note: string }[] = [];
  for await (const c of log.checkpoints()) out.push(c);
  return out;
}

function openedRoot(note: string) {
  return openCheckpoint(note, verifier).checkpoint;
}

describeStores(
  'AuditLog',
  (store) => {
    async function started(opts: Partial<AuditLogOptions> = {}): Promise<AuditLog> {
      const log = new AuditLog({ signer, origin: ORIGIN, ...opts, store: opts.store ?? (await store.fresh()) });
      await log.start();
      return log;
    }

    describe('AuditLog.start', () => {
      describe('when the log is new', () => {
        it('signs and keeps a checkpoint of the empty tree', async () => {
          const log = await started();
          expect(log.size).toBe(0);
          const cp = log.checkpoint();
          expect(cp.size).toBe(0);
          expect(cp.rootHash).toEqual(EMPTY_ROOT);
          expect(openedRoot(cp.note)).toMatchObject({ origin: ORIGIN, size: 0 });
          expect((await allCheckpoints(log)).map((c) => c.size)).toEqual([0]);
          await log.stop();
        });
      });

      describe('when the log was written before', () => {
        it('reopens with the same size, entries and checkpoint, and continues the same tree', async () => {
          const spec = await store.fresh();
          const a = await started({ store: spec, checkpointIntervalMs: HOUR });
          await a.append(items(0, 25));
          await a.stop();
          const b = await started({ store: spec, checkpointIntervalMs: HOUR });
          expect(b.size).toBe(25);
          expect(await b.entry(24)).toEqual(leafBytes(24));
          expect(b.checkpoint().size).toBe(25); // stop() signed the final checkpoint
          await b.append(items(25, 10));
          const mem = new MemoryTree();
          for (let i = 0; i < 35; i++) mem.append(leafBytes(i));
          expect(await b.treeHash(35)).toEqual(mem.root());
          expect((await b.checkpointNow()).rootHash).toEqual(mem.root());
          await b.stop();
        });

        it('does not re-hash the log: it starts even if a leaf was damaged (fsck finds it)', async () => {
          const spec = await store.fresh();
          const a = await started({ store: spec });
          await a.append(items(0, 40));
          await a.stop();
          const db = await store.open(spec);
          await db.put(leafKey(7), leafBytes(8));
          await db.close();
          const b = await started({ store: spec });
          expect(b.size).toBe(40);
          expect((await b.fsck()).ok).toBe(false);
          await b.stop();
        });

        it('signs a checkpoint at once for entries the last run did not cover', async () => {
          const spec = await store.fresh();
          const a = await started({ store: spec, checkpointIntervalMs: HOUR });
          await a.append(items(0, 5));
          // Simulate a crash after the batch but before any checkpoint: drop the checkpoint stop() would sign.
          await a.stop();
          const db = await store.open(spec);
          await db.del(`c/${(5).toString(16).padStart(16, '0')}`);
          await db.close();
          const b = await started({ store: spec, checkpointIntervalMs: HOUR });
          expect(b.checkpoint().size).toBe(5);
          expect((await allCheckpoints(b)).map((c) => c.size)).toEqual([0, 5]);
          await b.stop();
        });
      });

      describe('when the stored state does not match the last checkpoint', () => {
        async function logWith(n: number): Promise<LogStoreSpec> {
          const spec = await store.fresh();
          const log = await started({ store: spec });
          await log.append(items(0, n));
          await log.stop();
          return spec;
        }

        it('refuses a tampered stored hash on the root path with ERR_LOG_CORRUPT', async () => {
          const spec = await logWith(8);
          const db = await store.open(spec);
          // Stored hash 14 is node (3, 0): the root of the 8-leaf tree.
          await db.put(hashKey(14), new Uint8Array(32).fill(9));
          await db.close();
          await expect(started({ store: spec })).rejects.toThrow(code('ERR_LOG_CORRUPT'));
        });

        it('refuses a checkpoint whose signature does not verify', async () => {
          const spec = await logWith(3);
          const db = await store.open(spec);
          const key = `c/${(3).toString(16).padStart(16, '0')}`;
          const note = new TextDecoder().decode(await db.get(key));
          await db.put(key, new TextEncoder().encode(note.replace('\n3\n', '\n2\n')));
          await db.close();
          await expect(started({ store: spec })).rejects.toThrow(code('ERR_LOG_CORRUPT'));
        });

        it('re-checks the stored checkpoint with the injected verifier (the daemon passes opensslVerify)', async () => {
          const spec = await logWith(3);
          const rec = recordingVerifier();
          const log = await started({ store: spec, verify: rec.verify });
          expect(rec.calls()).toBeGreaterThan(0);
          await log.stop();
          await expect(started({ store: spec, verify: rejectAll })).rejects.toThrow(code('ERR_LOG_CORRUPT'));
        });

        it('refuses a checkpoint beyond the stored size (lost data)', async () => {
          const spec = await logWith(6);
          const db = await store.open(spec);
          await db.put(SIZE_KEY, encodeSize(4));
          await db.close();
          await expect(started({ store: spec })).rejects.toThrow(code('ERR_LOG_CORRUPT'));
        });

        it('refuses to start with another key under the same origin', async () => {
          const spec = await logWith(2);
          const impostor = ed25519Signer(ORIGIN, new Uint8Array(32).fill(8));
          await expect(started({ store: spec, signer: impostor })).rejects.toThrow(code('ERR_LOG_CORRUPT'));
          // The refused start released the store.
          const log = await started({ store: spec });
          expect(log.size).toBe(2);
          await log.stop();
        });
      });

      describe('when another process holds the store', () => {
        it('fails with ERR_ALREADY_RUNNING (a shared log: it starts as a follower)', async () => {
          const spec = await store.fresh();
          const a = await started({ store: spec });
          if (spec.driver === 'postgres' && spec.shared === true) {
            const b = await started({ store: spec });
            expect([a.role, b.role]).toEqual(['leader', 'follower']);
            await b.stop();
          } else {
            await expect(started({ store: spec })).rejects.toThrow(code('ERR_ALREADY_RUNNING'));
          }
          await a.stop();
        });
      });

      describe('when the signer is not the origin key', () => {
        it('throws ERR_ORIGIN_MISMATCH', async () => {
          expect(() => new AuditLog({ dir: '/nonexistent', signer, origin: 'govfed/other/00000000' })).toThrow(
            code('ERR_ORIGIN_MISMATCH'),
          );
        });
      });
    });

    describe('AuditLog.append', () => {
      describe('when many clients append concurrently', () => {
        it('group-commits them into few batches', async () => {
          const batches: number[] = [];
          const log = await started({ onCommit: (n) => batches.push(n) });
          const out = await Promise.all(Array.from({ length: 100 }, (_, i) => log.append(items(i * 10, 10))));
          expect(
            out
              .flat()
              .map((o) => o.index)
              .sort((a, b) => a - b),
          ).toEqual(Array.from({ length: 1000 }, (_, i) => i));
          expect(batches.reduce((a, b) => a + b, 0)).toBe(1000);
          expect(batches.length).toBeLessThanOrEqual(5);
          await log.stop();
        });
      });

      describe('when it resolves', () => {
        it('returns RFC 6962 leaf hashes, and entries/records read back exactly', async () => {
          const log = await started();
          const gov = encodeLeaf({
            v: 1,
            type: 'governance',
            kind: 'node.init',
            time: '2025-01-01T00:00:00Z',
            digest: `sha256:${'0'.repeat(64)}`,
          });
          const out = await log.append([...items(0, 2), { leaf: gov }]);
          expect(out.map((o) => o.index)).toEqual([0, 1, 2]);
          expect(new Uint8Array(out[1]?.leafHash as Uint8Array)).toEqual(leafHash(leafBytes(1)));
          expect(await log.entry(1)).toEqual(leafBytes(1));
          expect(await log.record(1)).toEqual(recordBytes(1));
          expect(await log.entry(2)).toEqual(gov);
          expect(await log.record(2)).toBeUndefined();
          await log.stop();
        });
      });

      describe('when pending entries would exceed maxPendingEntries', () => {
        it('rejects with ERR_BACKPRESSURE and appends nothing of that request', async () => {
          const log = await started({ maxPendingEntries: 5 });
          const first = log.append(items(0, 4));
          await expect(log.append(items(4, 2))).rejects.toThrow(code('ERR_BACKPRESSURE'));
          await first;
          expect(log.size).toBe(4);
          await expect(log.entry(4)).rejects.toThrow(code('ERR_NOT_FOUND'));
          expect(log.metrics().pending).toBe(0);
          await log.stop();
        });
      });

      describe('when the log is stopped', () => {
        it('rejects with ERR_SHUTTING_DOWN', async () => {
          const log = await started();
          await log.stop();
          await expect(log.append(items(0, 1))).rejects.toThrow(code('ERR_SHUTTING_DOWN'));
        });
      });
    });

    describe('AuditLog.entry', () => {
      describe('when the index is not in the log', () => {
        it('throws ERR_NOT_FOUND at or past the size and ERR_INDEX_OUT_OF_RANGE for a bad number', async () => {
          const log = await started();
          await log.append(items(0, 3));
          await expect(log.entry(3)).rejects.toThrow(code('ERR_NOT_FOUND'));
          await expect(log.record(99)).rejects.toThrow(code('ERR_NOT_FOUND'));
          await expect(log.entry(-1)).rejects.toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
          await expect(log.entry(1.5)).rejects.toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
          await log.stop();
        });
      });
    });

    describe('AuditLog.proveInclusion', () => {
      describe('when asked for entries of a signed checkpoint', () => {
        it('gives proofs that verify with protocol/log against the checkpoint root', async () => {
          const log = await started({ checkpointIntervalMs: HOUR });
          await log.append(items(0, 77));
          const { note } = await log.checkpointNow();
          const cp = openedRoot(note);
          expect(cp.size).toBe(77);
          for (const i of [0, 1, 38, 63, 64, 76]) {
            const proof = await log.proveInclusion(i, cp.size);
            verifyInclusion(i, cp.size, leafHash(await log.entry(i)), proof, cp.rootHash);
          }
          // An older tree size too.
          const proof = await log.proveInclusion(5, 10);
          verifyInclusion(5, 10, leafHash(leafBytes(5)), proof, await log.treeHash(10));
          await log.stop();
        });
      });

      describe('when the parameters are out of range', () => {
        it('throws ERR_INVALID_TREE_SIZE or ERR_INDEX_OUT_OF_RANGE', async () => {
          const log = await started();
          await log.append(items(0, 4));
          await expect(log.proveInclusion(0, 5)).rejects.toThrow(code('ERR_INVALID_TREE_SIZE'));
          await expect(log.proveInclusion(4, 4)).rejects.toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
          await expect(log.proveInclusion(0, 0)).rejects.toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
          await expect(log.proveInclusion(-1, 4)).rejects.toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
          await expect(log.treeHash(5)).rejects.toThrow(code('ERR_INVALID_TREE_SIZE'));
          await expect(log.proveConsistency(3, 5)).rejects.toThrow(code('ERR_INVALID_TREE_SIZE'));
          await expect(log.proveConsistency(4, 3)).rejects.toThrow(code('ERR_INVALID_TREE_SIZE'));
          await log.stop();
        });
      });
    });

    describe('AuditLog.checkpoints', () => {
      describe('across appends and restarts', () => {
        it('keeps every checkpoint, each consistent with the one before', async () => {
          const spec = await store.fresh();
          let log = await started({ store: spec, checkpointIntervalMs: HOUR });
          for (let round = 0; round < 3; round++) {
            await log.append(items(round * 13, 13));
            await log.checkpointNow();
            await log.stop();
            log = await started({ store: spec, checkpointIntervalMs: HOUR });
          }
          const kept = await allCheckpoints(log);
          expect(kept.map((c) => c.size)).toEqual([0, 13, 26, 39]);
          for (let i = 1; i < kept.length; i++) {
            const prev = openedRoot((kept[i - 1] as { note: string }).note);
            const next = openedRoot((kept[i] as { note: string }).note);
            verifyConsistency(
              prev.size,
              next.size,
              await log.proveConsistency(prev.size, next.size),
              prev.rootHash,
              next.rootHash,
            );
          }
          const from13 = [];
          for await (const c of log.checkpoints(13)) from13.push(c.size);
          expect(from13).toEqual([13, 26, 39]);
          await log.stop();
        });
      });

      describe('when the interval passes', () => {
        it('signs only when the tree has grown', async () => {
          const log = await started({ checkpointIntervalMs: 15 });
          await log.append(items(0, 3));
          for (let i = 0; i < 100 && log.checkpoint().size < 3; i++) await sleep(10);
          expect(log.checkpoint().size).toBe(3);
          expect(log.metrics().checkpointLagMs).toBe(0);
          await sleep(100); // several intervals without growth
          expect((await allCheckpoints(log)).map((c) => c.size)).toEqual([0, 3]);
          await log.stop();
        });
      });

      describe('when checkpointNow is called without growth', () => {
        it('returns the latest checkpoint without signing a new one', async () => {
          const log = await started({ checkpointIntervalMs: HOUR });
          await log.append(items(0, 2));
          const a = await log.checkpointNow();
          const b = await log.checkpointNow();
          expect(b).toBe(a);
          expect(log.metrics()).toMatchObject({ size: 2, checkpointSize: 2, pending: 0, appendsTotal: 2 });
          await log.stop();
        });
      });
    });
  },
  { shared: true },
);
