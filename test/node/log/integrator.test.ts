import { describe, expect, it } from 'vitest';
import type { AppendItem } from '../../../node/log/appender.ts';
import { Integrator, type IntegratorOptions } from '../../../node/log/integrator.ts';
import { QUEUE_PREFIX, queueKey } from '../../../node/log/keys.ts';
import { encodeQueued } from '../../../node/log/queued.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !ok(); i++) await sleep(5);
  expect(ok()).toBe(true);
}

/** A queue of `n` sequenced entries (q/ rows), and an appender whose appends take `appendMs` and delete their rows. */
function fixture(n: number, appendMs: number) {
  const queue = new Map<string, Uint8Array>();
  for (let i = 0; i < n; i++) {
    queue.set(queueKey(i), encodeQueued({ leaf: Uint8Array.of(i), leafHash: new Uint8Array(32).fill(i) }));
  }
  const tree: number[] = [];
  const db = {
    iterator: (o: { gte: string; lt: string; limit: number }) => ({
      all: async () =>
        [...queue.entries()]
          .filter(([k]) => k >= o.gte && k < o.lt)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .slice(0, o.limit),
    }),
  };
  const appender = {
    get size() {
      return tree.length;
    },
    append: async (items: (AppendItem & { del?: string })[]) => {
      await sleep(appendMs); // the batch's durable write
      const out = items.map((it) => {
        tree.push((it.leaf as Uint8Array)[0] as number);
        if (it.del !== undefined) queue.delete(it.del);
        return { index: tree.length - 1 };
      });
      return out;
    },
  };
  const faults: unknown[] = [];
  const opts = {
    db,
    appender,
    maxBatchEntries: 100,
    pollMs: 5,
    onFault: (e: unknown) => faults.push(e),
  } as unknown as IntegratorOptions;
  return { queue, tree, faults, opts };
}

describe('Integrator', () => {
  it('integrates every queued entry once, in order', async () => {
    const f = fixture(5, 5);
    const g = new Integrator(f.opts);
    g.start();
    await until(() => f.tree.length === 5);
    await g.stop(true);
    expect(f.tree).toEqual([0, 1, 2, 3, 4]);
    expect(f.faults).toEqual([]);
    expect([...f.queue.keys()].filter((k) => k.startsWith(QUEUE_PREFIX))).toEqual([]);
  });

  it('a clean stop while a pass is in flight drains after it: no entry integrated twice', async () => {
    const f = fixture(5, 30);
    const g = new Integrator(f.opts);
    g.start();
    await sleep(5); // the loop's pass has read the queue and is appending
    await g.stop(true);
    expect(f.tree).toEqual([0, 1, 2, 3, 4]);
    expect(f.faults).toEqual([]);
  });

  it('a clean stop drains what was queued after the last pass', async () => {
    const f = fixture(3, 1);
    const g = new Integrator(f.opts);
    g.start();
    await until(() => f.tree.length === 3);
    f.queue.set(queueKey(3), encodeQueued({ leaf: Uint8Array.of(3), leafHash: new Uint8Array(32).fill(3) }));
    await g.stop(true);
    expect(f.tree).toEqual([0, 1, 2, 3]);
  });
});
