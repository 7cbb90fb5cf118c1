import { describe, expect, it } from 'vitest';
import { GroupCommitAppender } from '../../../node/log/appender.ts';
import { Checkpointer } from '../../../node/log/checkpointer.ts';
import type { LogDb } from '../../../node/log/db.ts';
import { StoreHashReader } from '../../../node/log/hash-reader.ts';
import { decodeSize, SIZE_KEY } from '../../../node/log/keys.ts';
import { EMPTY_ROOT, Frontier, treeHash } from '../../../protocol/log/index.ts';
import { openCheckpoint, parseVerifierKey } from '../../../protocol/note/index.ts';
import { describeStores, items, ORIGIN, signer, sleep, verifierKey } from './helpers.ts';

const verifier = parseVerifierKey(verifierKey);

/** The db, but chained-batch writes take `delayMs` longer and fail while `failing()` is true. */
function slow(db: LogDb, delayMs: number, failing: () => boolean = () => false): LogDb {
  const bind = (t: object, p: string | symbol) => {
    const v = Reflect.get(t, p, t);
    return typeof v === 'function' ? v.bind(t) : v;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop !== 'batch') return bind(target, prop);
      return () =>
        new Proxy(target.batch(), {
          get(bt, bp) {
            if (bp !== 'write') return bind(bt, bp);
            return async (opts: object) => {
              await sleep(delayMs);
              if (failing()) {
                await bt.close();
                throw new Error('injected write failure');
              }
              return bt.write(opts);
            };
          },
        });
    },
  });
}

describeStores('Checkpointer', (store) => {
  async function setUp(delayMs = 0, failing?: () => boolean) {
    const db = await store.open(await store.fresh());
    const reader = new StoreHashReader(db);
    const appender = new GroupCommitAppender({
      db: slow(db, delayMs, failing),
      frontier: Frontier.empty(),
      maxPendingEntries: 10_000,
      maxBatchEntries: 10_000,
    });
    const checkpointer = new Checkpointer({
      db,
      appender,
      reader,
      signer,
      verifier,
      origin: ORIGIN,
      intervalMs: 3_600_000,
      now: () => new Date('2025-01-01T00:00:00Z'),
    });
    await checkpointer.load(0, Frontier.empty());
    return { db, reader, appender, checkpointer };
  }

  describe('Checkpointer.load', () => {
    describe('when the log is empty and has no checkpoint', () => {
      it('signs and stores the size-0 checkpoint', async () => {
        const { db, checkpointer } = await setUp();
        const cp = checkpointer.latest();
        expect(cp).toMatchObject({ size: 0, rootHash: EMPTY_ROOT });
        expect(openCheckpoint(cp.note, verifier).checkpoint.size).toBe(0);
        const kept = [];
        for await (const c of checkpointer.list()) kept.push(c);
        expect(kept).toEqual([{ size: 0, note: cp.note }]);
        await db.close();
      });
    });
  });

  describe('Checkpointer.signNow', () => {
    describe('when a batch is still being written', () => {
      it('does not sign its size until the batch is durable', async () => {
        const { db, reader, appender, checkpointer } = await setUp(80);
        const appended = appender.append(items(0, 10));
        await sleep(10); // the batch is now in flight
        const during = await checkpointer.signNow();
        expect(during.size).toBe(0);
        await appended;
        const after = await checkpointer.signNow();
        expect(after.size).toBe(10);
        expect(decodeSize((await db.get(SIZE_KEY)) as Uint8Array)).toBe(10);
        expect(after.rootHash).toEqual(await treeHash(10, reader));
        await db.close();
      });
    });

    describe('when a batch failed', () => {
      it('signs the last durable size, not the failed one', async () => {
        let fail = false;
        const { db, reader, appender, checkpointer } = await setUp(0, () => fail);
        await appender.append(items(0, 4));
        fail = true;
        const failed = await appender.append(items(4, 4)).catch((e: Error) => e);
        expect(failed).toBeInstanceOf(Error);
        const cp = await checkpointer.signNow();
        expect(cp.size).toBe(4);
        expect(cp.rootHash).toEqual(await treeHash(4, reader));
        await db.close();
      });
    });

    describe('when called concurrently', () => {
      it('signs each size once', async () => {
        const { db, appender, checkpointer } = await setUp();
        await appender.append(items(0, 3));
        const [a, b] = await Promise.all([checkpointer.signNow(), checkpointer.signNow()]);
        expect(a).toBe(b);
        const sizes = [];
        for await (const c of checkpointer.list()) sizes.push(c.size);
        expect(sizes).toEqual([0, 3]);
        await db.close();
      });
    });
  });

  describe('Checkpointer.lagMs', () => {
    describe('when commits are not yet covered', () => {
      it('grows, and drops to 0 once a checkpoint covers them', async () => {
        const { db, appender, checkpointer } = await setUp();
        await appender.append(items(0, 1));
        checkpointer.noteCommit();
        await sleep(30);
        expect(checkpointer.lagMs()).toBeGreaterThanOrEqual(25);
        await checkpointer.signNow();
        expect(checkpointer.lagMs()).toBe(0);
        await db.close();
      });
    });
  });
});
