/**
 * What one peer may cost this node on the request/response protocols (`/govfed/sync/1.0.0`,
 * `/govfed/log/1.0.0`, `/govfed/policy/1.0.0`), whatever it asks:
 *
 *   MAX_EXCHANGES_PER_PEER   8        exchanges in flight at once, across all its connections and
 *                                      protocols (libp2p's per-connection stream cap is 8 per protocol;
 *                                      a peer may open several connections)
 *   RESPONSE_BUDGET_BYTES    16 MiB   response bytes per RESPONSE_WINDOW_MS (10 s) — about 1.6 MiB/s
 *
 * plus, per exchange (request.ts): one request frame of at most the protocol's bound (4 MiB for sync
 * and policy, 64 KiB for log), read within the timeout (10 s), one response frame of at most the same
 * bound. So a peer holds at most 4 × (4 MiB + 4 MiB) of buffers and 4 × 10 s of stream time, and gets
 * at most 16 MiB of answers per 10 s however small its requests (`get-charters` from 1 is ~30 bytes
 * and answers the whole chain, up to 4 MiB; `get-policies` likewise). Over a limit the exchange is
 * refused before the handler runs (or before the answer is sent) with ERR_BACKPRESSURE: a well-behaved
 * peer waits for its next sync round (every 5 s) and gets the rest.
 */
import { NodeError } from '../errors.ts';

export const MAX_EXCHANGES_PER_PEER = 8;
export const RESPONSE_BUDGET_BYTES = 16 * 1024 * 1024;
export const RESPONSE_WINDOW_MS = 10_000;
/** Most peers whose budgets are remembered (members are at most 256; the rest are join windows). */
const MAX_TRACKED = 1024;

interface PeerUse {
  inFlight: number;
  windowStart: number;
  spent: number;
}

export class ServeLimits {
  readonly #maxExchanges: number;
  readonly #budget: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #peers = new Map<string, PeerUse>();

  constructor(opts: { maxExchanges?: number; budgetBytes?: number; windowMs?: number; now?: () => number } = {}) {
    this.#maxExchanges = opts.maxExchanges ?? MAX_EXCHANGES_PER_PEER;
    this.#budget = opts.budgetBytes ?? RESPONSE_BUDGET_BYTES;
    this.#windowMs = opts.windowMs ?? RESPONSE_WINDOW_MS;
    this.#now = opts.now ?? Date.now;
  }

  #use(peer: string): PeerUse {
    let u = this.#peers.get(peer);
    const now = this.#now();
    if (u === undefined) {
      if (this.#peers.size >= MAX_TRACKED) {
        for (const [p, x] of this.#peers) if (x.inFlight === 0) this.#peers.delete(p);
      }
      u = { inFlight: 0, windowStart: now, spent: 0 };
      this.#peers.set(peer, u);
    }
    if (now - u.windowStart >= this.#windowMs) {
      u.windowStart = now;
      u.spent = 0;
    }
    return u;
  }

  /** Starts an exchange for `peer`; returns its release. Throws ERR_BACKPRESSURE over a limit. */
  enter(peer: string): () => void {
    const u = this.#use(peer);
    if (u.inFlight >= this.#maxExchanges) {
      throw new NodeError(
        'ERR_BACKPRESSURE',
        `${peer} has ${u.inFlight} exchanges in flight (at most ${this.#maxExchanges})`,
      );
    }
    if (u.spent >= this.#budget) {
      throw new NodeError('ERR_BACKPRESSURE', `${peer} used its ${this.#budget}-byte response budget; try again later`);
    }
    u.inFlight += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      u.inFlight -= 1;
    };
  }

  /** Charges `bytes` of response to `peer`. Throws ERR_BACKPRESSURE when they do not fit its budget. */
  spend(peer: string, bytes: number): void {
    const u = this.#use(peer);
    if (u.spent + bytes > this.#budget) {
      u.spent = this.#budget;
      throw new NodeError('ERR_BACKPRESSURE', `${peer}: a ${bytes}-byte answer exceeds its response budget`);
    }
    u.spent += bytes;
  }
}
