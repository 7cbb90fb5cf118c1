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
 * that says it is ahead, a new connection). A `soon` that names a version — a peer said it holds
 * that version of the chain, which we lack — is skipped when, by the time the round would start, we
 * hold it (`lacks` says no): in a federation taking versions back to back most such hints arrive
 * moments before the version itself does by gossip, and the round would only learn that nothing is
 * missing.
 */
/** Delay of a round asked for with `soon` (lets a burst of asks become one). */
export const SOON_DELAY_MS = 50;
/** Least time between the starts of two `soon` rounds with one peer. */
export const MIN_ROUND_GAP_MS = 1000;
/** Peers whose last `soon` round is remembered (the oldest is forgotten first). */
const MAX_REMEMBERED = 1024;
/** A scheduled round asked for without a version: it runs whatever we hold by then. */
const ANY = Number.POSITIVE_INFINITY;

export class PeerRounds {
  readonly #busy = new Set<string>();
  /** Peers with a round scheduled: the newest version it was asked for (ANY: asked without one). */
  readonly #scheduled = new Map<string, number>();
  readonly #started = new Map<string, number>();
  readonly #round: (peer: string) => Promise<void>;
  readonly #lacks: (version: number) => boolean;
  #skipped = 0;

  /** `lacks(v)`: this node does not hold version `v` yet (default: always true). */
  constructor(round: (peer: string) => Promise<void>, lacks: (version: number) => boolean = () => true) {
    this.#round = round;
    this.#lacks = lacks;
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
   * With `version` (the peer holds it), the round runs only if this node still lacks it — or the newest
   * version asked — when the round is due; an ask without one always runs. A skipped round does not
   * count for MIN_ROUND_GAP_MS.
   */
  soon(peer: string, version: number = ANY): void {
    const scheduled = this.#scheduled.get(peer);
    if (scheduled !== undefined) {
      this.#scheduled.set(peer, Math.max(scheduled, version));
      return;
    }
    this.#scheduled.set(peer, version);
    const last = this.#started.get(peer);
    const wait = Math.max(SOON_DELAY_MS, last === undefined ? 0 : last + MIN_ROUND_GAP_MS - Date.now());
    setTimeout(() => {
      const wanted = this.#scheduled.get(peer) ?? ANY;
      this.#scheduled.delete(peer);
      if (wanted !== ANY && !this.#lacks(wanted)) {
        this.#skipped++;
        return;
      }
      this.#started.delete(peer); // re-inserted last: the map's order is oldest first
      this.#started.set(peer, Date.now());
      if (this.#started.size > MAX_REMEMBERED) this.#started.delete(this.#started.keys().next().value as string);
      void this.#round(peer);
    }, wait).unref();
  }

  /** Rounds asked for with a version this node held by the time they were due (not run). */
  get skipped(): number {
    return this.#skipped;
  }
}
