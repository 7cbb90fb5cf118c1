/**
 * Pending proposals of one replicated chain: signed objects waiting for co-signatures, by digest, each
 * with the time it is dropped. The rule that keeps a node from making forks lives here: it never signs
 * two different objects for one version while the first is pending (ERR_PROPOSAL_PENDING). Lookups by
 * id take a digest or a unique prefix of its hex (what the CLI's `sign` takes).
 */
import type { Envelope } from '../../protocol/federation/index.ts';
import { NodeError } from '../errors.ts';

export interface PendingProposal {
  envelope: Envelope;
  /** RFC 3339; after it the proposal is dropped. */
  expiresAt: string;
}

export interface PendingSetOptions {
  /** This node's peer id (the keyid of its signatures). */
  self: string;
  /** The version of the object in an envelope. */
  versionOf: (env: Envelope) => number;
  now: () => number;
  /** When true, a proposal past its expiresAt no longer blocks a conflicting one (the charter's rule). */
  conflictIgnoresExpired?: boolean;
  /** A proposal left the set (deleted, trimmed or pruned): e.g. the join windows it opened close. */
  onDrop?: (p: PendingProposal, id: string) => void;
}

export class PendingSet {
  readonly #map = new Map<string, PendingProposal>();
  readonly #opts: PendingSetOptions;

  constructor(opts: PendingSetOptions) {
    this.#opts = opts;
  }

  get size(): number {
    return this.#map.size;
  }

  get(digest: string): PendingProposal | undefined {
    return this.#map.get(digest);
  }

  has(digest: string): boolean {
    return this.#map.has(digest);
  }

  set(digest: string, p: PendingProposal): void {
    this.#map.set(digest, p);
  }

  delete(digest: string): void {
    const p = this.#map.get(digest);
    if (p === undefined) return;
    this.#map.delete(digest);
    this.#opts.onDrop?.(p, digest);
  }

  entries(): [string, PendingProposal][] {
    return [...this.#map.entries()];
  }

  ids(): string[] {
    return [...this.#map.keys()];
  }

  values(): PendingProposal[] {
    return [...this.#map.values()];
  }

  /**
   * The proposals whose digest is `id` or whose hex starts with `id` (without `sha256:`): an exact
   * match first, else every prefix match.
   */
  find(id: string): [string, PendingProposal][] {
    const exact = this.#map.get(id);
    if (exact !== undefined) return [[id, exact]];
    return this.entries().filter(([d]) => names(id, d));
  }

  /**
   * The one proposal `id` names; ERR_NOT_FOUND when none or several (`what`: e.g. `pending policy
   * proposal`). When none is pending but `applied()` (the chain's versions, read only then) holds the
   * object `id` names — a proposal that had every signature it needed, e.g. at a threshold of 1 — the
   * message says so.
   */
  resolve(
    id: string,
    what: string,
    applied: () => readonly { version: number; digest: string }[] = () => [],
  ): PendingProposal {
    const matches = this.find(id);
    const p = matches.length === 1 ? matches[0]?.[1] : undefined;
    if (p === undefined) {
      const done = matches.length === 0 ? applied().find((e) => names(id, e.digest)) : undefined;
      throw new NodeError(
        'ERR_NOT_FOUND',
        matches.length > 1
          ? `${id} names ${matches.length} ${what}s`
          : done === undefined
            ? `no ${what} ${id}`
            : `no ${what} ${id}: it was applied as version ${done.version} (it had every signature it needed)`,
      );
    }
    return p;
  }

  /**
   * Throws ERR_PROPOSAL_PENDING when this node signed a different pending proposal (not `digest`) for
   * `version` that has not expired: signing a second would make a fork. `message` words the refusal.
   */
  assertNoConflict(version: number, digest: string, message: (id: string, p: PendingProposal) => string): void {
    const now = this.#opts.now();
    for (const [id, p] of this.#map) {
      if (id === digest || (this.#opts.conflictIgnoresExpired === true && Date.parse(p.expiresAt) <= now)) continue;
      if (!p.envelope.signatures.some((x) => x.keyid === this.#opts.self)) continue;
      if (this.#opts.versionOf(p.envelope) === version) throw new NodeError('ERR_PROPOSAL_PENDING', message(id, p));
    }
  }

  /** Drops the oldest proposals beyond `max`. */
  trim(max: number): void {
    while (this.#map.size > max) {
      const oldest = this.#map.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  /** Drops every proposal `keep` refuses; returns how many went. */
  prune(keep: (p: PendingProposal, id: string) => boolean): number {
    let dropped = 0;
    for (const [id, p] of this.#map) {
      if (keep(p, id)) continue;
      this.delete(id);
      dropped++;
    }
    return dropped;
  }
}

/** Whether `id` names `digest` (`sha256:<hex>`): the digest itself, or a prefix of its hex (with or without `sha256:`). */
function names(id: string, digest: string): boolean {
  if (id === digest) return true;
  const hex = id.startsWith('sha256:') ? id.slice(7) : id;
  return hex.length > 0 && digest.slice(7).startsWith(hex);
}
