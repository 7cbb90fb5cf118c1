/**
 * One step of a stream exchange (open, write a frame, read a frame) bounded in time, with a timer that is
 * cleared when the step ends (issue 17). `AbortSignal.timeout(ms)` cannot be cleared: every one of them
 * fires later, and when its signal is still reachable builds a TimeoutError DOMException with a stack
 * trace — five per request/response exchange, ~70 exchanges a second in an idle federation of 20, ~1 %
 * of its CPU (docs/benchmarks.md, "fewer, larger writes"). The signal aborts as AbortSignal.timeout's
 * does — with a TimeoutError DOMException, which request.ts's answerError and the federation's
 * isTimeout read — and its timer does not keep the process alive.
 */

/** The reason a step's signal aborts with: what AbortSignal.timeout gives. */
export function timeoutReason(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}

/** Runs `step` with a signal that aborts after `ms`; the timer is cleared when the step settles. */
export async function withDeadline<T>(ms: number, step: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(timeoutReason()), ms);
  timer.unref();
  try {
    return await step(ac.signal);
  } finally {
    clearTimeout(timer);
  }
}
