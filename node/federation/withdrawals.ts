/**
 * The withdrawals this node believes (protocol/federation/withdrawal.ts): by proposal digest, the
 * members who took back their signature, each with its signed statement (kept in state.json, passed on
 * by gossip). A withdrawal counts while the version it names is still ahead of the charter; once the
 * charter reaches that version it is pruned. Bounded: MAX_WITHDRAWALS in all, MAX_PER_SIGNER per member
 * (the oldest go first), so a member cannot fill this node's memory or state file.
 */
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import {
  type CharterChain,
  type Envelope,
  type VerifiedWithdrawal,
  verifyWithdrawal,
} from '../../protocol/federation/index.ts';

export const MAX_WITHDRAWALS = 256;
export const MAX_PER_SIGNER = 8;

interface Held extends VerifiedWithdrawal {
  envelope: Envelope;
}

export class WithdrawalBook {
  /** Insertion order = age. */
  #held: Held[] = [];

  /** The signers who withdrew from proposal `digest`. */
  signers(digest: string): ReadonlySet<string> | undefined {
    const out = new Set(this.#held.filter((h) => h.withdrawal.digest === digest).map((h) => h.signer));
    return out.size === 0 ? undefined : out;
  }

  /** The signed statements, oldest first (what state.json keeps). */
  list(): Envelope[] {
    return this.#held.map((h) => h.envelope);
  }

  /**
   * Verifies a withdrawal (attacker-controlled) against the current charter: signed by a current member,
   * this federation. Returns it and whether it is new here; throws the protocol's typed refusal.
   */
  take(env: Envelope, chain: CharterChain, verify: Ed25519Verify): VerifiedWithdrawal & { fresh: boolean } {
    const members = new Set(chain.current.members.map((m) => m.peerId));
    const v = verifyWithdrawal(env, { federationId: chain.federationId, members, verify });
    const known = this.#held.some((h) => h.signer === v.signer && h.withdrawal.digest === v.withdrawal.digest);
    if (known || v.withdrawal.version <= chain.version) return { ...v, fresh: false };
    this.#held.push({ ...v, envelope: env });
    const mine = this.#held.filter((h) => h.signer === v.signer);
    if (mine.length > MAX_PER_SIGNER) this.#drop(mine[0]);
    if (this.#held.length > MAX_WITHDRAWALS) this.#drop(this.#held[0]);
    return { ...v, fresh: true };
  }

  /** Loads stored statements, keeping those that still verify and are ahead of the charter. */
  restore(envs: readonly Envelope[], chain: CharterChain, verify: Ed25519Verify): void {
    this.#held = [];
    for (const env of envs) {
      try {
        this.take(env, chain, verify);
      } catch {
        // no longer valid under this charter (its signer left, say): dropped
      }
    }
  }

  /** Drops those for versions the charter has reached. */
  prune(chain: CharterChain): void {
    this.#held = this.#held.filter((h) => h.withdrawal.version > chain.version);
  }

  #drop(h: Held | undefined): void {
    if (h !== undefined) this.#held = this.#held.filter((x) => x !== h);
  }
}
