/**
 * RevocationWatch: the kill switch's freeze and rollback protection inside charter freshness
 * (protocol/registry/revocation-freshness.ts; node/federation/freshness.ts feeds it every member's newer
 * verified statement). For each member it keeps the kill-switch state it last stated (a smaller count
 * later is a rollback: refused) and when it last confirmed this node's state. `ageMs` is how old this
 * node's state is as a majority of the members vouches for it: the registry fails closed on a contract
 * whose `maxRevocationStaleness` it exceeds (node/decisions/recorder.ts).
 */
import type { FreshnessStatement } from '../../protocol/federation/index.ts';
import {
  assertNoRollback,
  confirmsRevocations,
  type RevocationState,
  revocationAgeMs,
} from '../../protocol/registry/revocation-freshness.ts';

export type Observed = 'confirms' | 'behind' | 'differs' | 'silent';

export class RevocationWatch {
  readonly #state: () => RevocationState | undefined;
  readonly #stated = new Map<string, RevocationState>();
  readonly #confirmedAt = new Map<string, number>();

  constructor(state: () => RevocationState | undefined) {
    this.#state = state;
  }

  /** This node's own state (undefined: it keeps no registry). */
  get state(): RevocationState | undefined {
    return this.#state();
  }

  /**
   * Takes a member's verified statement (newer than the last one taken). Throws ERR_REVOCATION_ROLLBACK for
   * a smaller count than the member stated before. 'behind': it holds records this node lacks (pull them).
   */
  observe(peer: string, s: FreshnessStatement): Observed {
    const theirs = s.revocations;
    const mine = this.#state();
    if (theirs === undefined || mine === undefined) return 'silent';
    assertNoRollback(this.#stated.get(peer), theirs, s.org);
    this.#stated.set(peer, theirs);
    if (confirmsRevocations(theirs, mine)) {
      this.#confirmedAt.set(peer, Date.parse(s.issuedAt));
      return 'confirms';
    }
    return theirs.count > mine.count ? 'behind' : 'differs';
  }

  /** Forgets peers that are no longer members. */
  retain(isMember: (peer: string) => boolean): void {
    for (const p of [...this.#stated.keys()]) {
      if (!isMember(p)) {
        this.#stated.delete(p);
        this.#confirmedAt.delete(p);
      }
    }
  }

  /**
   * Milliseconds since a majority of `members` (this node included) last confirmed this node's state —
   * a member whose latest statement holds records this node lacks does not count at all (this node may be
   * frozen). 0 without a registry; Infinity while no majority ever confirmed.
   */
  ageMs(now: number, members: number): number {
    const mine = this.#state();
    if (mine === undefined) return 0;
    const times: number[] = [];
    for (const [peer, at] of this.#confirmedAt) {
      const stated = this.#stated.get(peer);
      if (stated !== undefined && confirmsRevocations(stated, mine)) times.push(at);
    }
    return revocationAgeMs(now, Math.floor(members / 2) + 1, times);
  }

  status(now: number, members: number): Record<string, unknown> {
    const mine = this.#state();
    if (mine === undefined) return { kept: false };
    const age = this.ageMs(now, members);
    return { count: mine.count, digest: mine.digest, ageMs: Number.isFinite(age) ? age : null };
  }
}
