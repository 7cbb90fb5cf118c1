import { describe, expect, it } from 'vitest';
import { timeoutReason, withDeadline } from '../../../node/p2p/deadline.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withDeadline (a step bounded in time, its timer cleared)', () => {
  it('aborts a step that outlasts the deadline with a TimeoutError, as AbortSignal.timeout does', async () => {
    const err = await withDeadline(
      20,
      (signal) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DOMException);
    expect((err as DOMException).name).toBe('TimeoutError');
    expect((err as DOMException).name).toBe(timeoutReason().name);
    const native = AbortSignal.timeout(1);
    await sleep(10);
    expect((native.reason as DOMException).name).toBe('TimeoutError'); // the same kind of reason
  });

  it('returns what the step returns, and the signal never aborts afterwards (the timer is cleared)', async () => {
    let kept: AbortSignal | undefined;
    const v = await withDeadline(20, async (signal) => {
      kept = signal;
      return 42;
    });
    expect(v).toBe(42);
    await sleep(50);
    expect(kept?.aborted).toBe(false);
  });

  it('passes a failing step on unchanged, and clears its timer too', async () => {
    let kept: AbortSignal | undefined;
    await expect(
      withDeadline(20, async (signal) => {
        kept = signal;
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await sleep(50);
    expect(kept?.aborted).toBe(false);
  });
});
