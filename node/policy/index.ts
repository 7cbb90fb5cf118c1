/**
 * node/policy — this node's policy (issue 5): the federation's threshold-signed global baseline, the
 * node's stricter local overlay, and their enforcement on every decision and every POST /v1/evaluate.
 *
 *   service.ts  PolicyService (a FederationModule): lifecycle, propose, sign, local overlay, show, status
 *   enforcement.ts  PolicyEnforcer: the active compiled rules (global + local, swapped in one assignment)
 *               and evaluate()
 *   status.ts   the policy status view, computed from the chain and the charter
 *   object.ts   policy bundles as a replicated object: the generic chain (node/chain) does pending
 *               proposals, co-signing, apply, forks, gossip, sync and receipts with it
 *   views.ts    what the policy API shows
 *   store.ts    PolicyStore: DIR/policy/state.json, atomic writes, re-verified on load
 *   audit.ts    policy events as governance leaves (policy.bundle / policy.local / policy.fork)
 *   metrics.ts  govfed_policy_* Prometheus metrics
 *
 * The rules themselves — what a valid rule, bundle, signature set, chain step or receipt is, and how a
 * rule set evaluates — live in protocol/policy; this folder stores, moves, logs and enforces what those
 * rules accept.
 */
export { type PolicyEventKind, policyAuditItem } from './audit.ts';
export { PolicyEnforcer, type PolicyEnforcerOptions } from './enforcement.ts';
export { PolicyMetrics } from './metrics.ts';
export {
  bundleOf,
  MAX_CATCH_UP,
  MAX_FORKS,
  MAX_PENDING_PROPOSALS,
  POLICY_PROPOSAL_TTL_MS,
  policyObject,
} from './object.ts';
export {
  DEFAULT_BUNDLE_TTL_MS,
  type LocalView,
  type PolicyMemberView,
  type PolicyProposalView,
  PolicyService,
  type PolicyServiceOptions,
  type PolicyStatus,
  type PolicyView,
} from './service.ts';
export { type PolicyStatusSource, policyStatusOf } from './status.ts';
export {
  emptyPolicyState,
  POLICY_STATE_VERSION,
  type PolicyState,
  PolicyStore,
  type StoredPolicyProposal,
} from './store.ts';
