/**
 * The peers our charter chain removed, each with the version that removed it (protocol/federation
 * departures.ts), kept up to date on every charter change — what lets a member removed while it was
 * offline learn of its removal when it comes back (the gate admits its connection; sync serves it the
 * versions up to its removal, nothing else: node/federation/sync.ts).
 *
 * Bounded in time: a removed peer is admitted for DEPARTURE_WINDOW_MS after this node learnt of its
 * removal (or, after a restart, after the start: not persisted), then refused like any stranger.
 */
import { type CharterChain, removalVersions } from '../../protocol/federation/index.ts';

/** How long a removed peer may still connect to learn its removal. */
export const DEPARTURE_WINDOW_MS = 30 * 24 * 60 * 60_000;

export class Departures {
  readonly #now: () => number;
  /** peer id → the version that removed it, and when this node learnt it (ms). */
  #removed = new Map<string, { version: number; since: number }>();

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Recomputes the removed peers from `chain` (every version), keeping when each was first learnt. */
  update(chain: CharterChain): void {
    const now = this.#now();
    const next = new Map<string, { version: number; since: number }>();
    for (const [peer, version] of removalVersions(chain.versions())) {
      const known = this.#removed.get(peer);
      next.set(peer, { version, since: known?.version === version ? known.since : now });
    }
    this.#removed = next;
  }

  /** The version that removed `peer`, while it may still connect to learn it; else undefined. */
  versionFor(peer: string): number | undefined {
    const r = this.#removed.get(peer);
    return r !== undefined && this.#now() - r.since < DEPARTURE_WINDOW_MS ? r.version : undefined;
  }
}
