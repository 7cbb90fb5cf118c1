/**
 * Sync heads (issue 17): each module sums up what its anti-entropy round exchanges as one `Head` in the
 * federation's hello (protocol/federation/sync.ts `heads`, a kind per module next to `charter`), so that
 * the module's round skips a peer whose head shows there is nothing to exchange — an idle federation of
 * 20 ran ~50 of its ~70 exchanges a second only to learn that nothing had changed.
 *
 * A module's head must change whenever anything its round would take from a peer or give it changes
 * (module.ts `syncHeads`); a module compares heads only for equality, and skips only on a match.
 * Heads are hints from an authenticated member: a false one spares us an exchange with the member that
 * sent it, which it could as well refuse to answer; it never makes us skip another member.
 *
 * Only heads heard in the current sync round count (`newRound()` starts one; the federation's own hello
 * with each peer of the round comes before the modules' rounds, and a hello the peer sent us meanwhile
 * counts as well): a peer whose hello failed, or any peer outside a round, gets a full round.
 */
import { createHash } from 'node:crypto';
import type { Head } from '../../protocol/federation/index.ts';

/** Most peers whose heads are kept (the oldest noted goes first). */
const MAX_PEERS = 1024;

export class PeerHeads {
  readonly #heard = new Map<string, { heads: Readonly<Record<string, Head>>; round: number }>();
  #round = 0;

  /** A new sync round: heads heard before it no longer count. */
  newRound(): void {
    this.#round++;
  }

  /** The heads in a hello from `peer` (other than the charter's), as heard now. */
  note(peer: string, heads: Readonly<Record<string, Head>>): void {
    this.#heard.delete(peer); // re-inserted last: the map's order is oldest first
    this.#heard.set(peer, { heads, round: this.#round });
    if (this.#heard.size > MAX_PEERS) this.#heard.delete(this.#heard.keys().next().value as string);
  }

  /** `peer`'s head of `kind` heard in this round, if any. */
  get(peer: string, kind: string): Head | undefined {
    const h = this.#heard.get(peer);
    return h?.round === this.#round ? h.heads[kind] : undefined;
  }

  forget(peer: string): void {
    this.#heard.delete(peer);
  }
}

/** Whether two heads are the same (both known). */
export function sameHead(a: Head | undefined, b: Head | undefined): boolean {
  return a !== undefined && b !== undefined && a.height === b.height && a.digest === b.digest;
}

/** A head of `height` whose digest is SHA-256 over `parts`, each ended by a newline (none may hold one). */
export function headOf(height: number, parts: Iterable<string>): Head {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p}\n`);
  return { height, digest: `sha256:${h.digest('hex')}` };
}

/** `entries` sorted by key (code-unit order, as heads' digests list them). */
export function byKey<V>(entries: Iterable<[string, V]>): [string, V][] {
  return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
