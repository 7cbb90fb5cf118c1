/**
 * The charter's rules for pending changes (proposals): what a received one may cost, its deadline,
 * and the join windows it opens. The pending set itself is the generic chain's (node/chain/pending.ts,
 * through the charter module's ReplicatedChain); charter-object.ts hands these rules to it.
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
  type ProposalStatus,
  proposalStatus,
} from '../../protocol/federation/index.ts';
import type { PendingSet } from '../chain/index.ts';
import { NodeError } from '../errors.ts';

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
 * above. Throws ERR_PROPOSAL_EXPIRED, ERR_MISSING_MEMBER_SIGNATURE or ERR_PROPOSAL_LIMIT. The charter
 * object's `admit` (charter-object.ts).
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
