/**
 * The pending proposals of one replicated object: the generic PendingSet (pending.ts) read through
 * the module (ReplicatedObject) — which still check under the charter, which are stale, and the
 * refusal of a second object for one version that this node signed.
 */
import type { CharterChain, Envelope } from '../../protocol/federation/index.ts';
import { NodeError } from '../errors.ts';
import type { ObjectStatus, ReplicatedObject } from './object.ts';
import type { PendingProposal, PendingSet } from './pending.ts';

export class ObjectPending<O> {
  readonly #object: ReplicatedObject<O>;
  readonly #set: PendingSet;

  constructor(object: ReplicatedObject<O>, set: PendingSet) {
    this.#object = object;
    this.#set = set;
  }

  /** ERR_PROPOSAL_PENDING when this node signed another pending object for `version`. */
  assertNoConflict(version: number, digest: string): void {
    this.#set.assertNoConflict(
      version,
      digest,
      (id, p) =>
        `this node already signed ${this.#object.noun} ${id} for version ${version}; wait until it is applied or expires (${p.expiresAt})`,
    );
  }

  /**
   * `env` without the signatures the module says were withdrawn from proposal `digest`
   * (object.withdrawn); the same envelope when there are none. ERR_PROPOSAL_WITHDRAWN when none is left.
   */
  withoutWithdrawn(digest: string, env: Envelope): Envelope {
    const gone = this.#object.withdrawn?.(digest);
    if (gone === undefined || gone.size === 0) return env;
    const signatures = env.signatures.filter((s) => s.keyid === undefined || !gone.has(s.keyid));
    if (signatures.length === env.signatures.length) return env;
    if (signatures.length === 0) {
      throw new NodeError('ERR_PROPOSAL_WITHDRAWN', `every signature of ${this.#object.noun} ${digest} was withdrawn`);
    }
    return { ...env, signatures };
  }

  /** The pending proposals that still check under `charter`, with their status. */
  checked(charter: CharterChain): { status: ObjectStatus<O>; proposal: PendingProposal }[] {
    const out: { status: ObjectStatus<O>; proposal: PendingProposal }[] = [];
    for (const proposal of this.#set.values()) {
      try {
        out.push({ status: this.#object.status(proposal.envelope, charter), proposal });
      } catch {
        // no longer valid under the charter: dropped on the next change
      }
    }
    return out;
  }

  /** Drops those past their lifetime, and (with a charter) those that no longer check or are not past `held`. */
  dropStale(charter: CharterChain | undefined, nowMs: number, held: number): void {
    this.#set.prune((p) => {
      if (Date.parse(p.expiresAt) <= nowMs) return false;
      if (charter === undefined) return true;
      try {
        return this.#object.status(p.envelope, charter).version > held;
      } catch {
        return false;
      }
    });
  }
}
