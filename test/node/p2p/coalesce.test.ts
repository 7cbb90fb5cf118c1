import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coalesce, NOISE_MAX_PLAINTEXT } from '../../../node/p2p/coalesce.ts';

const bytesOf = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const nextTurn = () => new Promise((r) => setImmediate(r));
const later = () => new Promise((r) => setTimeout(r, 2));

async function collect<T>(src: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of src) out.push(x);
  return out;
}

function concat(parts: readonly { subarray(): Uint8Array }[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p.subarray()]));
}

/** A writer whose chunks come `when` each says: at once, after a loop turn, or after a timer. */
async function* writer(chunks: readonly Uint8Array[], gaps: readonly ('now' | 'turn' | 'timer')[]) {
  for (const [i, c] of chunks.entries()) {
    const gap = gaps[i] ?? 'now';
    if (gap === 'turn') await nextTurn();
    if (gap === 'timer') await later();
    yield c;
  }
}

describe('coalesce (one write per event-loop turn)', () => {
  it('joins the chunks written in one turn into one, bytes and order unchanged', async () => {
    const chunks = [bytesOf(3, 1), bytesOf(5, 2), bytesOf(1, 3)];
    const out = await collect(coalesce(writer(chunks, [])));
    expect(out).toHaveLength(1);
    expect(out[0]).toEqual(concat(chunks));
  });

  it('passes a lone chunk on as it is (no copy)', async () => {
    const only = bytesOf(10, 7);
    const out = await collect(coalesce(writer([only], [])));
    expect(out).toHaveLength(1);
    expect(out[0]).toBe(only);
  });

  it('does not hold a chunk past the turn: what comes after a timer is a new batch', async () => {
    const chunks = [bytesOf(2, 1), bytesOf(2, 2), bytesOf(2, 3), bytesOf(2, 4)];
    const out = await collect(coalesce(writer(chunks, ['now', 'now', 'timer', 'now'])));
    expect(out.map((c) => [...c.subarray()])).toEqual([
      [1, 1, 2, 2],
      [3, 3, 4, 4],
    ]);
  });

  it('hands over the first batch before the writer writes again (latency: one turn)', async () => {
    const seen: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    async function* slow() {
      yield bytesOf(1, 1);
      await gate; // the next write waits until the consumer has the first batch
      yield bytesOf(1, 2);
    }
    for await (const c of coalesce(slow())) {
      seen.push(...c.subarray());
      release();
    }
    expect(seen).toEqual([1, 2]);
  });

  it('keeps every batch within one Noise frame; a larger chunk goes alone, unchanged', async () => {
    const big = bytesOf(NOISE_MAX_PLAINTEXT + 10, 9);
    const chunks = [bytesOf(40_000, 1), bytesOf(30_000, 2), big, bytesOf(100, 3)];
    const out = await collect(coalesce(writer(chunks, [])));
    expect(concat(out)).toEqual(concat(chunks));
    expect(out).toContain(big);
    for (const c of out) if (c !== big) expect(c.byteLength).toBeLessThanOrEqual(NOISE_MAX_PLAINTEXT);
    expect(out.map((c) => c.byteLength)).toEqual([40_000, 30_000, big.byteLength, 100]);
  });

  it('joins lists of buffers (libp2p streams carry Uint8ArrayList) by their bytes', async () => {
    const list = (xs: number[]) => ({ byteLength: xs.length, subarray: () => Uint8Array.from(xs) });
    const out = await collect(coalesce([list([1, 2]), list([3]), list([4, 5, 6])]));
    expect(out).toHaveLength(1);
    expect([...(out[0] as Uint8Array)]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('passes on what it gathered, then fails as the source does', async () => {
    async function* failing() {
      yield bytesOf(1, 1);
      yield bytesOf(1, 2);
      throw new Error('socket gone');
    }
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const c of coalesce(failing())) got.push(...c.subarray());
      })(),
    ).rejects.toThrow('socket gone');
    expect(got).toEqual([1, 2]);
  });

  it('a writer that stops early ends the source and leaves no unhandled rejection behind', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    let returned = false;
    let fail: (e: Error) => void = () => {};
    const source: AsyncIterator<Uint8Array> & AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: (() => {
        let n = 0;
        return () =>
          n++ === 0
            ? Promise.resolve({ done: false, value: bytesOf(1, 1) })
            : new Promise<IteratorResult<Uint8Array>>((_, reject) => {
                fail = reject; // a pull that settles only after the writer stopped, and badly
              });
      })(),
      return: async () => {
        returned = true;
        return { done: true, value: undefined };
      },
    };
    for await (const c of coalesce(source)) {
      expect([...c.subarray()]).toEqual([1]);
      break;
    }
    expect(returned).toBe(true);
    fail(new Error('closed'));
    await later();
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  it('property: any writer, any pace — the same bytes in the same order, batches within the frame', async () => {
    const max = 64;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            size: fc.integer({ min: 0, max: 100 }),
            gap: fc.constantFrom('now' as const, 'turn' as const, 'timer' as const),
          }),
          { maxLength: 30 },
        ),
        async (spec) => {
          const chunks = spec.map((s, i) => bytesOf(s.size, i % 251));
          const out = await collect(
            coalesce(
              writer(
                chunks,
                spec.map((s) => s.gap),
              ),
              max,
            ),
          );
          expect(concat(out)).toEqual(concat(chunks));
          for (const c of out) if (!chunks.some((x) => x === c)) expect(c.byteLength).toBeLessThanOrEqual(max);
          // never more batches than chunks; never a batch across a timer
          expect(out.length).toBeLessThanOrEqual(chunks.length);
          const timers = spec.filter((s, i) => i > 0 && s.gap === 'timer').length;
          if (chunks.length > 0) expect(out.length).toBeGreaterThanOrEqual(timers + 1);
        },
      ),
      { numRuns: 200 },
    );
  });
});
