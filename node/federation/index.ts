/**
 * node/federation — this node's life in a federation (issue 4): the pinned charter chain, pending
 * charter changes, invites and joins, carried by node/p2p (member-only libp2p, signed gossip, sync),
 * persisted in DIR/federation/state.json and recorded in the node's audit log.
 *
 *   service.ts  FederationService: start/stop; create, setThreshold, invite, sign, join, status
 *   pending.ts  PendingProposals: pending charter changes, bounded (per signer and version, in total,
 *               signed deadline), and the join windows they may open
 *   charter-object.ts  the charter as a ReplicatedObject on node/chain (CharterObjectChain adapter,
 *               admission, deadlines, join-window hooks, /govfed/sync codec); not yet wired in
 *   store.ts    FederationStore: DIR/federation/state.json, atomic writes, re-verified on load
 *   audit.ts    federation objects as governance leaves (federation.charter / .proposal / .fork)
 *
 * The rules themselves (what a valid charter, proposal, invite or gossip message is) live in
 * protocol/federation; this folder only stores, moves and logs what those rules accept.
 */
export { envelopeDigest, type FederationEventKind, federationAuditItem } from './audit.ts';
export {
  checkDeadline,
  DEADLINE_SKEW_MS,
  MAX_PENDING_CHARTER_PROPOSALS,
  MAX_PENDING_PER_SIGNER_VERSION,
  type OfferResult,
  PendingProposals,
  PROPOSAL_TTL_MS,
} from './pending.ts';
export {
  DEFAULT_INVITE_TTL_MS,
  FederationService,
  type FederationServiceOptions,
  type FederationStatus,
  type MemberStatus,
  type ProposalView,
  SYNC_INTERVAL_MS,
} from './service.ts';
export { type FederationState, FederationStore, type StoredProposal } from './store.ts';
