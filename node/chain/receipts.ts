/**
 * Receipts of one replicated chain: for each member, the newest signed receipt it issued ("I applied
 * version n, digest d, at log index i"). Received receipts are attacker-controlled and verified
 * against the charter before they are kept; on a charter change the ones that no longer check go.
 */
import type { CharterChain, Envelope } from '../../protocol/federation/index.ts';
import type { ReplicatedObject } from './object.ts';

export class ReceiptBook {
  readonly #object: Pick<ReplicatedObject<unknown>, 'verifyReceipt' | 'receiptOf'>;
  readonly #map = new Map<string, Envelope>();

  constructor(object: Pick<ReplicatedObject<unknown>, 'verifyReceipt' | 'receiptOf'>) {
    this.#object = object;
  }

  all(): ReadonlyMap<string, Envelope> {
    return this.#map;
  }

  list(): Envelope[] {
    return [...this.#map.values()];
  }

  /** Receipts from the state file (re-checked by recheck() once the charter is known). */
  restore(envs: readonly Envelope[]): void {
    for (const r of envs) this.#map.set(this.#object.receiptOf(r).peerId, r);
  }

  /** Drops the receipts that no longer verify under `charter`. */
  recheck(charter: CharterChain): void {
    for (const [peer, env] of this.#map) {
      try {
        this.#object.verifyReceipt(env, charter);
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
   */
  take(env: Envelope, charter: CharterChain): boolean {
    const r = this.#object.verifyReceipt(env, charter);
    const prev = this.#map.get(r.peerId);
    if (prev !== undefined) {
      const p = this.#object.receiptOf(prev);
      if (p.version > r.version || (p.version === r.version && p.appliedAt >= r.appliedAt)) return false;
    }
    this.#map.set(r.peerId, env);
    return true;
  }
}
