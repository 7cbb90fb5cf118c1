/**
 * node/federation — this node's life in a federation (issue 4): the pinned charter chain, pending
 * charter changes, invites and joins, carried by node/p2p (member-only libp2p, signed gossip, sync),
 * persisted in DIR/federation/state.json and recorded in the node's audit log.
 *
 *   service.ts  FederationService: start/stop; create, setThreshold, invite, sign, join, status
 *   core.ts     the state its parts share (charter chain, addresses, network) and small shared acts
 *   charter-module.ts  the charter as a module on the generic replicated chain (node/chain): pending
 *               changes, co-signing, accepting, fork evidence, its gossip kinds
 *   charter-object.ts  what is the charter's in that chain (CharterObjectChain adapter, admission,
 *               deadlines, join-window hooks, audit leaves, /govfed/sync codec)
 *   pending.ts  the charter's pending rules: limits per signer and version and in total, signed
 *               deadlines (checkDeadline), which peers a proposal opens join windows for
 *   network.ts  libp2p, module protocols, the one gossip validation path;  sync.ts  /govfed/sync
 *   handoff.ts  a joiner's admission handed to its invite's bootstrap members (how many took it)
 *   dial-backoff.ts  dials of a member one at a time, backed off after failures (core.ts dialKnown)
 *   store.ts    FederationStore: DIR/federation/state.json, atomic writes, re-verified on load
 *   audit.ts    federation objects as governance leaves (federation.charter / .proposal / .fork)
 *   freshness.ts  FreshnessModule: signed short-lived statements of the charter each member holds; a node
 *               no majority confirms within a window reports itself stale (issue 12; gauges in
 *               freshness-metrics.ts); new charter versions stated once per gap (statement-gap.ts,
 *               paced by gap-pacer.ts)
 *
 * The rules themselves (what a valid charter, proposal, invite or gossip message is) live in
 * protocol/federation; this folder only stores, moves and logs what those rules accept.
 */
export { envelopeDigest, type FederationEventKind, federationAuditItem } from './audit.ts';
export {
  FRESHNESS_CHECK_MS,
  FreshnessModule,
  type FreshnessModuleOptions,
  type FreshnessState,
} from './freshness.ts';
export {
  checkDeadline,
  DEADLINE_SKEW_MS,
  MAX_PENDING_CHARTER_PROPOSALS,
  MAX_PENDING_PER_SIGNER_VERSION,
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
