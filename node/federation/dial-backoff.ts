/**
 * Dialling a member that does not answer, without making it worse (issue 17).
 *
 * Every job that needs a member it is not connected to dials it: the sync round's re-dial, each module's
 * request (a witness ask, a registry pull…), the reconnection after a request timed out. Measured at
 * N = 50 on two cores (docs/benchmarks.md, "the accept queue"): a saturated node accepts about one new
 * TCP connection per listener per turn of its event loop (seconds, under load); each dial that timed out
 * after 2 s left its connection in the kernel's accept queue, dead, to be accepted later all the same;
 * 40 members re-dialling every 5 s kept 75–110 dead connections queued before every live one, so every
 * new dial timed out too — a livelock that outlasted the load that began it (a joiner waited minutes).
 *
 * So, per peer:
 *   - one dial at a time: a caller that needs the peer while a dial is under way waits for that one
 *     (within its own timeout) instead of opening another connection;
 *   - after a failed dial, no background re-dial before a back-off: DIAL_BACKOFF_BASE_MS doubled per
 *     failure in a row, at most DIAL_BACKOFF_MAX_MS, with jitter (a random 50–100 % of it, so members
 *     that lost the same peer do not come back in step); one asked in that time gets
 *     ERR_PEER_UNAVAILABLE at once. A request that needs the peer now (a proof a user asked for, a
 *     witness ask) still dials — one at a time with the rest — and its outcome moves the back-off: a
 *     peer back from a partition answers the first request, it is not refused for up to 30 s;
 *   - a background re-dial waits longer per failure — the per-address timeout doubled per failure in a
 *     row, at most DIAL_TIMEOUT_MAX_MS — so that a connection queued behind others is accepted, not
 *     abandoned to become one more dead entry;
 *   - any connection with the peer (ours or its own, `connected`) ends the back-off.
 * Pure bookkeeping with an injected clock and random source; core.ts `dialKnown` does the dialling.
 */
import { NodeError } from '../errors.ts';

/** The back-off after the first failed dial of a peer; doubled per further failure in a row. */
export const DIAL_BACKOFF_BASE_MS = 2_000;
/** The longest back-off between two dials of one peer. */
export const DIAL_BACKOFF_MAX_MS = 30_000;
/** The longest a re-dial waits for one address (after several failures in a row). */
export const DIAL_TIMEOUT_MAX_MS = 30_000;
/** Peers whose failures are remembered at most (the oldest forgotten first). */
export const MAX_BACKOFF_PEERS = 4096;

interface PeerState {
  /** Failed dials in a row. */
  failures: number;
  /** No dial before this time (ms). */
  nextAt: number;
}

export interface DialBackoffOptions {
  now?: () => number;
  /** A number in [0, 1) (Math.random): the jitter. */
  random?: () => number;
}

export interface DialSpec {
  /** How long this caller waits in all (for its own dial, or for one under way). */
  timeoutMs: number;
  /** One address's timeout for a first dial. */
  perAddressMs: number;
  /** A background re-dial: it waits out the back-off, and its per-address timeout grows with the failures in a row. */
  background?: boolean;
}

/** The dial itself: tries the peer's addresses, `perAddressMs` each, within `timeoutMs`; undefined or the failure. */
export type DialAttempt = (timeoutMs: number, perAddressMs: number) => Promise<unknown>;

export class DialBackoff {
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #peers = new Map<string, PeerState>();
  readonly #inflight = new Map<string, Promise<unknown>>();

  constructor(opts: DialBackoffOptions = {}) {
    this.#now = opts.now ?? Date.now;
    this.#random = opts.random ?? Math.random;
  }

  /** Failed dials of `peer` in a row (0: none, or a connection since). */
  failures(peer: string): number {
    return this.#peers.get(peer)?.failures ?? 0;
  }

  /** How long before `peer` may be dialled again (0: now). */
  waitFor(peer: string): number {
    const s = this.#peers.get(peer);
    return s === undefined ? 0 : Math.max(0, s.nextAt - this.#now());
  }

  /** One address's timeout for a re-dial of `peer`: `base` doubled per failure in a row, at most the max. */
  timeoutFor(peer: string, base: number): number {
    return doubled(base, this.failures(peer), DIAL_TIMEOUT_MAX_MS);
  }

  /** A dial of `peer` failed: the next waits DIAL_BACKOFF_BASE_MS × 2^(failures − 1), at most the max, jittered. */
  failed(peer: string): void {
    const failures = this.failures(peer) + 1;
    const full = doubled(DIAL_BACKOFF_BASE_MS, failures - 1, DIAL_BACKOFF_MAX_MS);
    const wait = Math.round(full * (0.5 + this.#random() / 2));
    this.#peers.delete(peer); // re-inserted last: the map's order is oldest first
    this.#peers.set(peer, { failures, nextAt: this.#now() + wait });
    if (this.#peers.size > MAX_BACKOFF_PEERS) this.#peers.delete(this.#peers.keys().next().value as string);
  }

  /** A connection with `peer` (dialled by us or by it): no back-off any more. */
  connected(peer: string): void {
    this.#peers.delete(peer);
  }

  /**
   * Dials `peer` with `attempt` unless a dial is under way (then waits for it, at most `spec.timeoutMs`)
   * or, for a background re-dial, the peer is backed off (then ERR_PEER_UNAVAILABLE at once). Resolves
   * with undefined once connected, else with the failure; the outcome moves the back-off.
   */
  async dial(peer: string, spec: DialSpec, attempt: DialAttempt): Promise<unknown> {
    const running = this.#inflight.get(peer);
    if (running !== undefined) return await withinOrFail(running, spec.timeoutMs, peer);
    const wait = spec.background === true ? this.waitFor(peer) : 0;
    if (wait > 0) {
      return new NodeError(
        'ERR_PEER_UNAVAILABLE',
        `${peer} is not dialled again for ${Math.ceil(wait / 1000)} s: its last ${this.failures(peer)} dial(s) failed`,
      );
    }
    const perAddressMs = spec.background === true ? this.timeoutFor(peer, spec.perAddressMs) : spec.perAddressMs;
    const timeoutMs = Math.max(spec.timeoutMs, perAddressMs);
    const run = attempt(timeoutMs, perAddressMs).then(
      (failure) => {
        if (failure === undefined) this.connected(peer);
        else this.failed(peer);
        return failure;
      },
      (err: unknown) => {
        this.failed(peer);
        return err;
      },
    );
    this.#inflight.set(peer, run);
    try {
      return await run;
    } finally {
      this.#inflight.delete(peer);
    }
  }
}

/** `base` doubled `times` times, at most `max`. */
function doubled(base: number, times: number, max: number): number {
  return Math.min(max, base * 2 ** Math.min(times, 16));
}

/** The outcome of a dial under way, or a timeout failure after `ms` (the dial goes on for its owner). */
async function withinOrFail(running: Promise<unknown>, ms: number, peer: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<unknown>((resolve) => {
    timer = setTimeout(
      () => resolve(new NodeError('ERR_PEER_UNAVAILABLE', `${peer}: a dial under way did not connect within ${ms} ms`)),
      ms,
    );
    timer.unref();
  });
  try {
    return await Promise.race([running, late]);
  } finally {
    clearTimeout(timer);
  }
}
