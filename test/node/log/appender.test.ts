import { describe, expect, it } from 'vitest';
import { GroupCommitAppender } from '../../../node/log/appender.ts';
import { StoreHashReader } from '../../../node/log/hash-reader.ts';
import { decodeSize, leafKey, recordKey, SIZE_KEY } from '../../../node/log/keys.ts';
import { Frontier, MemoryTree, treeHash } from '../../../protocol/log/index.ts';
import { describeStores, flaky, items, leafBytes } from './helpers.ts';

describeStores('GroupCommitAppender', (store) => {
  const code = (c: string) => expect.objectContaining({ code: c });

  async function setUp(opts: { maxPending?: number; maxBatch?: number; failing?: () => boolean } = {}) {
    const db = await store.open(await store.fresh());
    const reader = new StoreHashReader(db);
    const commits: number[] = [];
    const faults: unknown[] = [];
    const appender = new GroupCommitAppender({
      db: opts.failing ? flaky(db, opts.failing) : db,
      frontier: Frontier.empty(),
      maxPendingEntries: opts.maxPending ?? 100_000,
      maxBatchEntries: opts.maxBatch ?? 10_000,
      onCommit: (n) => commits.push(n),
      onFault: (err) => faults.push(err),
    });
    return { db, reader, appender, commits, faults };
  }

  function memoryRoot(n: number): Uint8Array {
    const t = new MemoryTree();
    for (let i = 0; i < n; i++) t.append(leafBytes(i));
    return t.root();
  }

  describe('GroupCommitAppender.append', () => {
    describe('when many appends arrive at once', () => {
      it('writes them in few batches and gives contiguous indexes in call order', async () => {
        const { db, appender, commits } = await setUp();
        const results = await Promise.all(Array.from({ length: 200 }, (_, i) => appender.append(items(i, 1))));
        expect(results.map((r) => r[0]?.index)).toEqual(Array.from({ length: 200 }, (_, i) => i));
        expect(commits.reduce((a, b) => a + b, 0)).toBe(200);
        // The first append starts a write alone; the other 199 queue behind it and go in one batch.
        expect(commits.length).toBeLessThanOrEqual(3);
        expect(appender.size).toBe(200);
        await db.close();
      });

      it('never puts more than maxBatchEntries in a batch, but never splits a request', async () => {
        const { db, appender, commits } = await setUp({ maxBatch: 50 });
        await Promise.all([
          ...Array.from({ length: 200 }, (_, i) => appender.append(items(i, 1))),
          appender.append(items(200, 120)),
        ]);
        expect(commits.filter((n) => n > 50)).toEqual([120]);
        expect(commits.length).toBeGreaterThanOrEqual(5);
        expect(appender.size).toBe(320);
        await db.close();
      });
    });

    describe('when the batch is durable', () => {
      it('has stored leaves, records, hashes and the size in the same write', async () => {
        const { db, reader, appender } = await setUp();
        const out = await appender.append(items(0, 5));
        expect(out.map((o) => o.index)).toEqual([0, 1, 2, 3, 4]);
        expect(new Uint8Array((await db.get(leafKey(3))) as Uint8Array)).toEqual(leafBytes(3));
        expect(await db.get(recordKey(3))).toBeDefined();
        expect(decodeSize((await db.get(SIZE_KEY)) as Uint8Array)).toBe(5);
        expect(await treeHash(5, reader)).toEqual(memoryRoot(5));
        await db.close();
      });
    });

    describe('when too many entries are pending', () => {
      it('rejects the whole append with ERR_BACKPRESSURE and appends none of it', async () => {
        const { db, appender } = await setUp({ maxPending: 10 });
        const first = appender.append(items(0, 8));
        expect(appender.pending).toBe(8);
        await expect(appender.append(items(8, 5))).rejects.toThrow(code('ERR_BACKPRESSURE'));
        await first;
        expect(appender.size).toBe(8);
        expect(appender.pending).toBe(0);
        await expect(appender.append(items(8, 5))).resolves.toHaveLength(5);
        expect(appender.size).toBe(13);
        await db.close();
      });
    });

    describe('when a write fails', () => {
      it('rejects that batch and everything queued with ERR_LOG_UNAVAILABLE and never takes an append again', async () => {
        let fail = false;
        const { db, appender, faults } = await setUp({ failing: () => fail });
        await appender.append(items(0, 3));
        fail = true;
        const failed = appender.append(items(3, 4));
        const queued = appender.append(items(7, 2)); // staged behind the failing batch
        await expect(failed).rejects.toThrow(code('ERR_LOG_UNAVAILABLE'));
        await expect(queued).rejects.toThrow(code('ERR_LOG_UNAVAILABLE'));
        expect(appender.size).toBe(3);
        expect(appender.committed()).toEqual({ size: 3, rootHash: memoryRoot(3) });
        expect(appender.pending).toBe(0);
        expect(await db.get(leafKey(3))).toBeUndefined();
        expect(faults).toHaveLength(1);
        expect(appender.faulted).toBe(true);
        // The store handle is not trusted again, even once writes would succeed (the old code went on).
        fail = false;
        await expect(appender.append(items(3, 1))).rejects.toThrow(code('ERR_LOG_UNAVAILABLE'));
        expect(appender.size).toBe(3);
        expect(await db.get(leafKey(3))).toBeUndefined();
        expect(faults).toHaveLength(1);
        await appender.close();
        await db.close();
      });
    });

    describe('when the input is bad', () => {
      it('rejects non-arrays, empty or oversize leaves with ERR_INVALID_INPUT', async () => {
        const { db, appender } = await setUp();
        await expect(appender.append('x' as never)).rejects.toThrow(code('ERR_INVALID_INPUT'));
        await expect(appender.append([{ leaf: new Uint8Array(0) }])).rejects.toThrow(code('ERR_INVALID_INPUT'));
        await expect(appender.append([{ leaf: new Uint8Array(4097) }])).rejects.toThrow(code('ERR_INVALID_INPUT'));
        await expect(appender.append([{ leaf: leafBytes(0), record: 'r' as never }])).rejects.toThrow(
          code('ERR_INVALID_INPUT'),
        );
        expect(await appender.append([])).toEqual([]);
        expect(appender.size).toBe(0);
        await db.close();
      });
    });
  });

  describe('GroupCommitAppender.close', () => {
    describe('when appends are pending', () => {
      it('writes them, then refuses new ones with ERR_SHUTTING_DOWN', async () => {
        const { db, appender } = await setUp();
        const pending = Promise.all([appender.append(items(0, 2)), appender.append(items(2, 2))]);
        await appender.close();
        await expect(pending).resolves.toHaveLength(2);
        expect(appender.size).toBe(4);
        await expect(appender.append(items(4, 1))).rejects.toThrow(code('ERR_SHUTTING_DOWN'));
        await db.close();
      });
    });
  });

  describe('GroupCommitAppender.committed', () => {
    describe('while batches are being written', () => {
      it('only ever shows a size that is on disk, with the root of exactly that size', async () => {
        const { db, reader, appender } = await setUp();
        const seen: { size: number; disk: number; ok: boolean }[] = [];
        const work: Promise<unknown>[] = [];
        for (let i = 0; i < 20; i++) {
          work.push(appender.append(items(i * 10, 10)));
          work.push(
            (async () => {
              const { size, rootHash } = appender.committed();
              const disk = decodeSize((await db.get(SIZE_KEY)) ?? new Uint8Array(8));
              const root = await treeHash(size, reader);
              seen.push({ size, disk, ok: Buffer.from(root).equals(rootHash) });
            })(),
          );
        }
        await Promise.all(work);
        expect(seen).toHaveLength(20);
        for (const s of seen) {
          expect(s.ok).toBe(true);
          expect(s.disk).toBeGreaterThanOrEqual(s.size);
        }
        expect(appender.committed()).toEqual({ size: 200, rootHash: memoryRoot(200) });
        await db.close();
      });
    });
  });

  describe('GroupCommitAppender (pipelining)', () => {
    describe('when appends arrive while a batch is being written', () => {
      it('stages them into the next batch, which is written as soon as the first is durable', async () => {
        const { db, appender, commits } = await setUp();
        const first = appender.append(items(0, 1)); // written at once, alone
        const rest = Array.from({ length: 50 }, (_, i) => appender.append(items(1 + i, 2)));
        expect(appender.pending).toBe(101);
        await first;
        expect(appender.size).toBe(1);
        await Promise.all(rest);
        expect(commits).toEqual([1, 100]);
        await db.close();
      });
    });
  });
});
