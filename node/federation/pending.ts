/**
 * Pending charter changes (proposals) this node holds, bounded, and the join windows they open.
 *
 * What a received proposal costs is bounded here (every one is attacker-controlled, even when a
 * member signed it):
 *   - at most MAX_PENDING_PER_SIGNER_VERSION new proposals per member signer and charter version — an
 *     honest node signs one change per version (it refuses a second while the first is pending, see
 *     ERR_PROPOSAL_PENDING), so two leave room for one that expired here later than at its signer;
 *   - at most MAX_PENDING_CHARTER_PROPOSALS in total (as policy proposals: node/policy/object.ts);
 *   - a proposal must carry at least one member signature (signatures of added peers alone prove nothing);
 *   - none past its signed deadline (charter `expiresAt`, checkNotExpired). Its lifetime here is that
 *     deadline (or PROPOSAL_TTL_MS from first receipt when it has none), never extended by re-sending.
 * A proposal over a limit is refused with ERR_PROPOSAL_LIMIT before anything is stored. Proposals this
 * node makes or signs itself are not counted against the limits (the operator asked for them).
 *
 * Join windows (node/p2p/gate.ts): a peer that a proposal adds may connect before it is a member only
 * when this node issued or signed that proposal, or when the proposal already has the member
 * signatures its rule requires (only the newcomers' own are missing). One member's signature on a
 * proposal that needs more opens nothing. A window lasts until the proposal's deadline (capped by the
 * gate) and closes when the proposal is accepted, superseded or expires.
 */
import { GovfedError } from '../../protocol/errors.ts';
import {
  type CharterChain,
  charterOf,
  checkNotExpired,
  type Envelope,
  mergeSignatures,
  type ProposalStatus,
  proposalStatus,
} from '../../protocol/federation/index.ts';
import { PendingSet } from '../chain/index.ts';
import { NodeError } from '../errors.ts';
import type { MemberGate } from '../p2p/gate.ts';
import type { StoredProposal } from './store.ts';

/** Largest number of pending charter proposals kept (the same bound as pending policy proposals). */
export const MAX_PENDING_CHARTER_PROPOSALS = 32;
/** New proposals per member signer and charter version. */
export const MAX_PENDING_PER_SIGNER_VERSION = 2;
/** Lifetime of a proposal without a signed deadline (from first receipt; never extended). */
export const PROPOSAL_TTL_MS = 24 * 60 * 60_000;
/**
 * Clock difference tolerated on a signed deadline by a node that did not set it (the signer's clock
 * set it). Small on purpose: the deadline is what stops an expired invite being completed late.
 */
export const DEADLINE_SKEW_MS = 10_000;

/**
 * Refuses a new head version past its signed deadline (charter `expiresAt`, DEADLINE_SKEW_MS
 * tolerated) with ERR_PROPOSAL_EXPIRED — an expired invite completed late by the invitee, or a change
 * finished after its signers' deadline — unless `successor`, the next version in the same batch, is
 * complete on top of it with its threshold met by members of `chain`'s current version: then those
 * members took it in time and a further step (a node catching up after being away). Signatures of
 * peers the late version itself adds do not count, or a late invitee could vouch for its own
 * admission. Versions other than current+1 (duplicates, forks, gaps) are left to the chain.
 */
export function checkDeadline(chain: CharterChain, env: Envelope, nowMs: number, successor?: Envelope): void {
  const charter = charterOf(env);
  if (charter.version !== chain.version + 1 || charter.expiresAt === undefined) return;
  if (successor !== undefined) {
    try {
      const s = proposalStatus(charter, successor, chain.verifyOptions);
      const earlier = s.signedBy.filter((p) => chain.isMember(p)).length;
      if (s.complete && earlier >= s.required) return;
    } catch {
      // not a valid successor: judge `env` alone
    }
  }
  checkNotExpired(charter, nowMs, DEADLINE_SKEW_MS);
}

/**
 * The admission rule of a received charter proposal (status = proposalStatus of it, so link and
 * signatures verified; attacker-controlled), checked against what is pending without storing
 * anything: not past its signed deadline, at least one member signature, and within the limits
 * above. Throws ERR_PROPOSAL_EXPIRED, ERR_MISSING_MEMBER_SIGNATURE or ERR_PROPOSAL_LIMIT. Shared by
 * PendingProposals and the charter as a replicated object (charter-object.ts).
 */
export function admitCharterProposal(
  status: ProposalStatus,
  pending: Pick<PendingSet, 'size' | 'has' | 'values'>,
  nowMs: number,
  skewMs = DEADLINE_SKEW_MS,
): void {
  checkNotExpired(status.charter, nowMs, skewMs);
  if (status.memberSignatures < 1) {
    throw new GovfedError('ERR_MISSING_MEMBER_SIGNATURE', 'a proposal needs at least one member signature');
  }
  if (pending.has(status.digest)) return;
  if (pending.size >= MAX_PENDING_CHARTER_PROPOSALS) {
    throw new NodeError('ERR_PROPOSAL_LIMIT', `${pending.size} charter proposals pending already`);
  }
  const version = status.charter.version;
  const countFor = (signer: string) =>
    pending
      .values()
      .filter((p) => p.envelope.signatures.some((s) => s.keyid === signer) && charterOf(p.envelope).version === version)
      .length;
  const members = status.signedBy.filter((p) => !status.added.includes(p));
  const full = members.filter((p) => countFor(p) >= MAX_PENDING_PER_SIGNER_VERSION);
  if (full.length === members.length) {
    throw new NodeError(
      'ERR_PROPOSAL_LIMIT',
      `${full.join(', ')} already signed ${MAX_PENDING_PER_SIGNER_VERSION} pending proposals for version ${version}`,
    );
  }
}

/**
 * The peers a pending proposal opens join windows for (see the comment at the top): those it adds,
 * when this node (`self`) signed it or its member threshold is met; none otherwise.
 */
export function joinWindowPeers(status: ProposalStatus, env: Envelope, self: string): string[] {
  const signedHere = env.signatures.some((s) => s.keyid === self);
  return signedHere || status.memberSignatures >= status.required ? status.added : [];
}

export interface OfferResult {
  /** The stored envelope: our copy merged with the offered one. */
  merged: Envelope;
  status: ProposalStatus;
  /** True when the proposal was not pending before. */
  isNew: boolean;
  /** True when the offer added signatures (or a new proposal). */
  grew: boolean;
  expiresAt: string;
}

export class PendingProposals {
  readonly #self: string;
  readonly #gate: MemberGate;
  readonly #now: () => number;
  readonly #skewMs: number;
  readonly #map: PendingSet;

  constructor(opts: { self: string; gate: MemberGate; now: () => number; skewMs?: number }) {
    this.#self = opts.self;
    this.#gate = opts.gate;
    this.#now = opts.now;
    this.#skewMs = opts.skewMs ?? DEADLINE_SKEW_MS;
    this.#map = new PendingSet({
      self: opts.self,
      versionOf: (env) => charterOf(env).version,
      now: opts.now,
      conflictIgnoresExpired: true,
    });
  }

  get size(): number {
    return this.#map.size;
  }

  get(digest: string): StoredProposal | undefined {
    return this.#map.get(digest);
  }

  entries(): [string, StoredProposal][] {
    return this.#map.entries();
  }

  /** Stored proposals not past their lifetime (what sync pushes and state.json keeps). */
  live(): StoredProposal[] {
    const now = this.#now();
    return this.#map.values().filter((p) => Date.parse(p.expiresAt) > now);
  }

  /**
   * Checks a received proposal (status = chain.proposalStatus of it, so link and signatures verified)
   * against the rules above without storing anything. Throws ERR_PROPOSAL_EXPIRED,
   * ERR_MISSING_MEMBER_SIGNATURE or ERR_PROPOSAL_LIMIT.
   */
  admit(status: ProposalStatus): void {
    admitCharterProposal(status, this.#map, this.#now(), this.#skewMs);
  }

  /**
   * Merges `env` into the pending proposal with the same charter (or stores it) and opens join windows
   * when this node signed it or its member threshold is met. `local`: made or signed here (no limits).
   */
  offer(chain: CharterChain, env: Envelope, local: boolean): OfferResult {
    const status0 = chain.proposalStatus(env);
    if (!local) this.admit(status0);
    const prev = this.#map.get(status0.digest);
    const merged = prev === undefined ? env : mergeSignatures(prev.envelope, env, chain.verifyOptions);
    const status = prev === undefined ? status0 : chain.proposalStatus(merged);
    const expiresAt = prev?.expiresAt ?? status.charter.expiresAt ?? this.#expiry(PROPOSAL_TTL_MS);
    this.#map.set(status.digest, { envelope: merged, expiresAt });
    const grew = prev === undefined || merged.signatures.length > prev.envelope.signatures.length;
    for (const p of joinWindowPeers(status, merged, this.#self)) this.#gate.openWindow(p, Date.parse(expiresAt));
    return { merged, status, isNew: prev === undefined, grew, expiresAt };
  }

  /** The one pending proposal `ref` names: its digest, or a unique prefix of its hex. ERR_NOT_FOUND otherwise. */
  resolve(ref: string): StoredProposal {
    return this.#map.resolve(ref, 'pending proposal');
  }

  /**
   * This node never signs two different charters with the same version: that is how forks are made.
   * Throws ERR_PROPOSAL_PENDING while a change we signed for `version` is pending (until it is
   * accepted, superseded or expires).
   */
  assertNoConflict(version: number, digest: string): void {
    this.#map.assertNoConflict(
      version,
      digest,
      (id, p) =>
        `this node already signed change ${id} for charter version ${version}; wait until it is accepted or expires (${p.expiresAt})`,
    );
  }

  /** Restores a proposal from state.json (made or received before a restart); false if it no longer applies. */
  restore(chain: CharterChain, p: StoredProposal): boolean {
    if (Date.parse(p.expiresAt) <= this.#now()) return false;
    try {
      const status = chain.proposalStatus(p.envelope);
      checkNotExpired(status.charter, this.#now());
      this.#map.set(status.digest, p);
      for (const peer of joinWindowPeers(status, p.envelope, this.#self)) {
        this.#gate.openWindow(peer, Date.parse(p.expiresAt));
      }
      return true;
    } catch {
      return false;
    }
  }

  /** Drops proposals that no longer apply to `chain` or have expired; closes their windows. */
  prune(chain: CharterChain): number {
    const now = this.#now();
    let dropped = 0;
    for (const [id, p] of this.#map.entries()) {
      let drop = Date.parse(p.expiresAt) <= now;
      if (!drop) {
        try {
          chain.proposalStatus(p.envelope);
        } catch {
          drop = true;
        }
      }
      if (!drop) continue;
      this.#map.delete(id);
      dropped++;
      for (const m of charterOf(p.envelope).members) {
        if (!chain.isMember(m.peerId) && !this.#stillOpens(m.peerId)) this.#gate.closeWindow(m.peerId);
      }
    }
    return dropped;
  }

  /** True when another pending proposal still adds `peer` (its window stays as that one set it). */
  #stillOpens(peer: string): boolean {
    for (const p of this.#map.values()) if (charterOf(p.envelope).members.some((m) => m.peerId === peer)) return true;
    return false;
  }

  /** True when `peer` is added by a pending proposal (a window peer pushing its own admission). */
  admits(peer: string, chain: CharterChain): boolean {
    return this.#map.values().some((p) => {
      try {
        return chain.proposalStatus(p.envelope).added.includes(peer);
      } catch {
        return false;
      }
    });
  }

  #expiry(ttlMs: number): string {
    return new Date(this.#now() + ttlMs).toISOString();
  }
}
