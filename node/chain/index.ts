/**
 * node/chain: one replicated signed chain — the shape of every federation object that members
 * propose, co-sign to a threshold, gossip, sync and log (policy baselines today; the model registry,
 * approvals and revocations next). A module supplies a ReplicatedObject (object.ts: validation,
 * acceptance rule, audit leaf, receipt, wire names); the chain does the rest:
 *
 *   object.ts      ReplicatedObject: what a module provides; ObjectChain, ChainSyncMessage
 *   pending.ts     PendingSet: pending proposals (TTL, bound, prefix lookup, the no-two-versions rule)
 *   object-pending.ts  ObjectPending: the pending set read through the module (checks, stale, conflicts)
 *   owner.ts       ReplicatedChainOptions: what the owner gives a chain (keys, log, persistence, hooks)
 *   replicated.ts  ReplicatedChain: offer/co-sign/apply, persist → audit → receipt
 *   forks.ts       ForkBook: fork evidence (complete rivals of versions held), bounded
 *   audit.ts       the audit leaf of an accepted version or a fork
 *   gossip.ts      synchronous gossip verdicts for the object and receipt kinds
 *   receipts.ts    ReceiptBook: each member's newest verified receipt
 *   sync.ts        ChainSync: hello/pull/push anti-entropy over the module's request protocol
 *   util.ts        SerialTail (persist → audit → receipt in order), PeerRounds, Rejections, errorText
 *
 * docs/ARCHITECTURE.md "Adding a replicated object" walks through a module.
 */

export { ForkBook } from './forks.ts';
export { objectGossipVerdict, receiptGossipVerdict } from './gossip.ts';
export type {
  AuditStep,
  ChainEventNames,
  ChainSnapshot,
  ChainSyncMessage,
  ObjectChain,
  ObjectEntry,
  ObjectReceipts,
  ObjectStatus,
  PendingView,
  ProposalInfo,
  ReceiptFacts,
  ReplicatedObject,
} from './object.ts';
export type { ReplicatedChainOptions } from './owner.ts';
export { type PendingProposal, PendingSet, type PendingSetOptions } from './pending.ts';
export { ReceiptBook } from './receipts.ts';
export { ReplicatedChain } from './replicated.ts';
export { ChainSync, type ChainSyncOptions } from './sync.ts';
export { errorText, PeerRounds, Rejections, SerialTail, shuffle } from './util.ts';
