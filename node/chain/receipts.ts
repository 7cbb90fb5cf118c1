/**
 * Receipts of one replicated chain: for each member, the newest signed receipt it issued ("I applied
 * version n, digest d, at log index i"). Received receipts are attacker-controlled and verified
 * against the charter before they are kept; on a charter change the ones that no longer check go.
 */
import { GovfedError } from '../../protocol/errors.ts';
import type { CharterChain, Envelope } from '../../protocol/federation/index.ts';
import type { ObjectReceipts } from './object.ts';

export class ReceiptBook {
  /** What a receipt says; undefined for an object without receipts (then the book stays empty). */
  readonly #spec: Pick<ObjectReceipts<unknown>, 'verify' | 'of'> | undefined;
  readonly #map = new Map<string, Envelope>();

  constructor(spec: Pick<ObjectReceipts<unknown>, 'verify' | 'of'> | undefined) {
    this.#spec = spec;
  }

  all(): ReadonlyMap<string, Envelope> {
    return this.#map;
  }

  list(): Envelope[] {
    return [...this.#map.values()];
  }

  /** Receipts from the state file (re-checked by recheck() once the charter is known). */
  restore(envs: readonly Envelope[]): void {
    const spec = this.#spec;
    if (spec === undefined) return;
    for (const r of envs) this.#map.set(spec.of(r).peerId, r);
  }

  /** Drops the receipts that no longer verify under `charter`. */
  recheck(charter: CharterChain): void {
    const spec = this.#spec;
    if (spec === undefined) return;
    for (const [peer, env] of this.#map) {
      try {
        spec.verify(env, charter);
      } catch {
        this.#map.delete(peer);
      }
    }
  }

  /** This node's own receipt (it just signed it). */
  setOwn(self: string, env: Envelope): void {
    this.#map.set(self, env);
  }

  /**
   * Verifies `env` (attacker-controlled; throws the typed error) and keeps it when it is newer than
   * what its member's receipt says (a higher version, or the same one applied later). True when kept.
   * An object without receipts refuses every one (ERR_MALFORMED_GOSSIP: nothing of the kind exists).
   */
  take(env: Envelope, charter: CharterChain): boolean {
    const spec = this.#spec;
    if (spec === undefined) throw new GovfedError('ERR_MALFORMED_GOSSIP', 'this object has no receipts');
    // A copy of a receipt held (a sync answer repeats them all) is not verified again: nothing is new.
    for (const held of this.#map.values()) if (sameEnvelope(held, env)) return false;
    const r = spec.verify(env, charter);
    const prev = this.#map.get(r.peerId);
    if (prev !== undefined) {
      const p = spec.of(prev);
      if (p.version > r.version || (p.version === r.version && p.appliedAt >= r.appliedAt)) return false;
    }
    this.#map.set(r.peerId, env);
    return true;
  }
}

/** The same payload (type and bytes) under the same signatures, in the same order. */
function sameEnvelope(a: Envelope, b: Envelope): boolean {
  return (
    a.payload === b.payload &&
    a.payloadType === b.payloadType &&
    a.signatures.length === b.signatures.length &&
    a.signatures.every((s, i) => s.sig === b.signatures[i]?.sig && s.keyid === b.signatures[i]?.keyid)
  );
}
