/**
 * The CLI's answer to 429 ERR_RATE_LIMITED (the node's per-client rate limit, node/api/rate-limit.ts):
 * wait the `Retry-After` the node gave and send the request again — a refused request was not acted on
 * (the node refuses before reading the body), so sending it again is safe for any method. `govfed audit
 * mirror` of a large log fetches thousands of tiles; over the node's per-address budget it then goes at
 * the budget's pace instead of failing half-way.
 *
 * Bounded: at most MAX_RETRIES waits per request, each at most MAX_WAIT_S (a longer Retry-After, or a 429
 * with another code such as ERR_PROPOSAL_LIMIT, is returned to the caller as it is).
 */
import { setTimeout as sleep } from 'node:timers/promises';

export const MAX_RETRIES = 20;
export const MAX_WAIT_S = 60;

/** Seconds to wait before retrying `res` (attacker-controlled header), or undefined when it is not worth it. */
export function retryDelaySeconds(res: Response): number | undefined {
  if (res.status !== 429) return undefined;
  const header = res.headers.get('retry-after') ?? '';
  if (!/^[0-9]{1,5}$/.test(header)) return undefined;
  const s = Number(header);
  return s <= MAX_WAIT_S ? Math.max(1, s) : undefined;
}

/**
 * Sends with `send` until the answer is not a rate-limit refusal; `isRateLimited` reads a 429's code.
 * `wait` is injectable for tests.
 */
export async function sendWithRetry(
  send: () => Promise<Response>,
  isRateLimited: (res: Response) => Promise<boolean>,
  wait: (ms: number) => Promise<unknown> = sleep,
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const res = await send();
    const delay = retryDelaySeconds(res);
    if (delay === undefined || attempt >= MAX_RETRIES || !(await isRateLimited(res.clone()))) return res;
    await res.body?.cancel();
    await wait(delay * 1000);
  }
}
