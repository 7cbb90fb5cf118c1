/** Small helpers shared by the replicated chains (federation charter, policy, and what comes next). */
import { isGovfedError } from '../../protocol/errors.ts';

/** `CODE: message` for a coded error, the message otherwise (event fields). */
export function errorText(err: unknown): string {
  if (isGovfedError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** A shuffled copy (Fisher–Yates). */
export function shuffle<T>(items: readonly T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/**
 * Serialises async work (persist, audit, receipt) so that it runs in the order it was queued; a
 * failure is reported and does not stop the queue.
 */
export class SerialTail {
  #tail: Promise<void> = Promise.resolve();
  readonly #onError: (err: unknown) => void;

  constructor(onError: (err: unknown) => void) {
    this.#onError = onError;
  }

  queue(fn: () => Promise<void>): void {
    this.#tail = this.#tail.then(fn).catch((err) => this.#onError(err));
  }

  /** Resolves when everything queued so far has run. */
  async idle(): Promise<void> {
    await this.#tail.catch(() => {});
  }
}

/** Rejected messages counted by error code (what status().rejected shows). */
export class Rejections {
  #counts: Record<string, number> = {};

  /** Counts `err` under its code and returns the code; `undefined` (an accepted message) is not counted. */
  add(err: unknown): string | undefined {
    if (err === undefined) return undefined;
    const code = isGovfedError(err) ? err.code : 'ERR_INTERNAL';
    this.#counts[code] = (this.#counts[code] ?? 0) + 1;
    return code;
  }

  snapshot(): Record<string, number> {
    return { ...this.#counts };
  }
}

/**
 * Anti-entropy rounds with peers: at most one round per peer at a time (a second request while one
 * runs is dropped, not queued), and `soon` for a round 50 ms from now (a gap seen in gossip, a peer
 * that says it is ahead, a new connection).
 */
/** Delay of a round asked for with `soon` (lets a burst of asks become one). */
export const SOON_DELAY_MS = 50;
/** Least time between the starts of two `soon` rounds with one peer. */
export const MIN_ROUND_GAP_MS = 1000;
/** Peers whose last `soon` round is remembered (the oldest is forgotten first). */
const MAX_REMEMBERED = 1024;

export class PeerRounds {
  readonly #busy = new Set<string>();
  readonly #scheduled = new Set<string>();
  readonly #started = new Map<string, number>();
  readonly #round: (peer: string) => Promise<void>;

  constructor(round: (peer: string) => Promise<void>) {
    this.#round = round;
  }

  /** Runs `fn` unless a round with `peer` is under way. */
  async exclusive(peer: string, fn: () => Promise<void>): Promise<void> {
    if (this.#busy.has(peer)) return;
    this.#busy.add(peer);
    try {
      await fn();
    } finally {
      this.#busy.delete(peer);
    }
  }

  /**
   * A round with `peer` shortly: asks made while one is scheduled are one ask, and rounds asked this
   * way start at least MIN_ROUND_GAP_MS apart (a peer that hangs up on each dial — we are not in its
   * charter yet — would otherwise be redialled in a tight loop: connect → round → refused → connect).
   */
  soon(peer: string): void {
    if (this.#scheduled.has(peer)) return;
    this.#scheduled.add(peer);
    const last = this.#started.get(peer);
    const wait = Math.max(SOON_DELAY_MS, last === undefined ? 0 : last + MIN_ROUND_GAP_MS - Date.now());
    setTimeout(() => {
      this.#scheduled.delete(peer);
      this.#started.delete(peer); // re-inserted last: the map's order is oldest first
      this.#started.set(peer, Date.now());
      if (this.#started.size > MAX_REMEMBERED) this.#started.delete(this.#started.keys().next().value as string);
      void this.#round(peer);
    }, wait).unref();
  }
}
