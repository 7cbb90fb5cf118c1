/**
 * What a replicated object module provides to the generic chain (ReplicatedChain, replicated.ts): the
 * object-specific parts — how an envelope decodes and what its signatures prove under the charter,
 * how copies merge, the chain's acceptance rule, what the audit leaf and the receipt say, and the
 * names of its gossip kinds, sync messages, events and error codes. Everything else (pending
 * proposals with a TTL, the no-two-versions rule, co-signing to a threshold, fork evidence, gossip,
 * hello/pull/push sync, persist → audit leaf → receipt) is the chain's.
 */
import type { CharterChain, Envelope, Head } from '../../protocol/federation/index.ts';
import type { EventName } from '../events.ts';
import type { AppendItem } from '../log/index.ts';
import type { PendingProposal, PendingSet } from './pending.ts';

/** What `admit` may read of the pending proposals. */
export type PendingView = Pick<PendingSet, 'size' | 'has' | 'values'>;

/** What one envelope (attacker-controlled) proves against the current charter. */
export interface ObjectStatus<O> {
  object: O;
  /** The object's digest (`sha256:<hex>`): its id, what the next version's `previous` names. */
  digest: string;
  version: number;
  /** Member peer ids whose signatures verified, sorted. */
  signedBy: string[];
  required: number;
  complete: boolean;
}

/** One accepted version. */
export interface ObjectEntry<O> {
  version: number;
  digest: string;
  envelope: Envelope;
  object: O;
}

/** The object's chain, as protocol/ implements it (e.g. PolicyChain behind a small adapter). */
export interface ObjectChain<O> {
  readonly federationId: string;
  readonly version: number;
  readonly current: ObjectEntry<O> | undefined;
  versions(): readonly ObjectEntry<O>[];
  /** Versions `from`.. (bounded by the protocol), what a `get` answers. */
  since(from: number): readonly ObjectEntry<O>[];
  /**
   * Takes versions current+1..n as one run (the acceptance rule); returns the entries taken, oldest
   * first (empty for a duplicate). Throws the typed rejection (a fork with `codes.fork`).
   */
  acceptRun(envs: readonly Envelope[], charter: CharterChain, now: number): ObjectEntry<O>[];
}

/** The generic sync messages; the module's codec gives them its wire names. */
export type ChainSyncMessage =
  /** `heads`: other kinds' heads (node/federation/heads.ts), carried by the charter's hello only. */
  | { type: 'hello'; version: number; digest: string | null; pending: string[]; heads?: Record<string, Head> }
  | { type: 'get'; from: number }
  | { type: 'objects'; envelopes: Envelope[] }
  | { type: 'proposal'; envelope: Envelope }
  | { type: 'get-receipts' }
  | { type: 'receipts'; envelopes: Envelope[] };

/** Event names the chain emits (each module has its own, e.g. `policy:applied`). */
/** Emits a chain event: a catalogue name and the fields the chain and its module give it. */
export type ChainEmit = (event: EventName, fields: Record<string, unknown>) => void;

/** The catalogue's event names (node/events.ts) a module's chain emits: one per step, per object kind. */
export interface ChainEventNames {
  proposal: EventName;
  applied: EventName;
  /** Optional: without it a fork is still kept, audited and counted as a rejection, just not raised. */
  fork?: EventName;
  /**
   * Optional: without it a rejection is counted and handed to the owner's `onRejected` only (the
   * charter: the federation reports its own as `federation:rejected`).
   */
  rejected?: EventName;
  syncFailed: EventName;
  auditFailed: EventName;
  error: EventName;
  /** Optional for an object whose loadChain cannot fail (the charter: the chain is the federation's). */
  reloadFailed?: EventName;
}

export interface ReplicatedObject<O> {
  /** Names used in messages: e.g. `policy` (the proposals) and `bundle` (one object). */
  readonly noun: string;
  readonly objectNoun: string;
  /** Gossip kind of objects (complete or not, unless `completeGossipKind` names another for complete ones). */
  readonly gossipKind: string;
  /** Gossip kind of a complete object this node publishes, when it differs (the charter: `charter` vs `proposal`). */
  readonly completeGossipKind?: string;
  /** Request protocol of the sync exchange, and its largest frame. */
  readonly protocol: string;
  readonly maxSyncBytes: number;
  readonly events: ChainEventNames;
  readonly codes: { gap: string; rollback: string; fork: string };
  /** Lifetime of a pending proposal here; most kept; most fork envelopes kept; most versions per pull. */
  readonly proposalTtlMs: number;
  readonly maxPending: number;
  readonly maxForks: number;
  readonly maxCatchUp: number;
  /** When true, a pending proposal past its lifetime no longer blocks a rival (ERR_PROPOSAL_PENDING). */
  readonly conflictIgnoresExpired?: boolean;

  /**
   * Optional: a signed deadline in the object (RFC 3339), used as the lifetime of its pending proposal
   * here instead of `proposalTtlMs` from first receipt (never extended by re-sending).
   */
  deadlineOf?(object: O): string | undefined;
  /**
   * Optional per-envelope admission of a received (gossip, sync: attacker-controlled) proposal, after
   * its signatures verified and before anything is stored: deadlines, per-signer limits, … Throws the
   * typed refusal. Proposals made or signed here are not admitted (the operator asked for them).
   */
  admit?(status: ObjectStatus<O>, env: Envelope, pending: PendingView, charter: CharterChain): void;
  /**
   * Optional: codes of refusals that depend on this node's state or clock (limits, deadlines). Gossip
   * with one is ignored rather than rejected when a member merely forwarded it (gossip.ts).
   */
  readonly localCodes?: readonly string[];
  /**
   * Optional: the signers who withdrew their signature from the pending proposal `digest` (a signed
   * withdrawal, verified by the module): offer() takes those signatures out of every copy it merges.
   */
  withdrawn?(digest: string): ReadonlySet<string> | undefined;

  /** The object in an envelope this node holds (already verified once). */
  decode(env: Envelope): O;
  versionOf(object: O): number;
  digestOf(object: O): string;
  /** Verifies an envelope against the charter (signatures by current members, right federation). */
  status(env: Envelope, charter: CharterChain): ObjectStatus<O>;
  /** One envelope with the signatures of both copies of the same object. */
  merge(a: Envelope, b: Envelope): Envelope;
  /** Adds this node's signature. */
  cosign(env: Envelope, seed: Uint8Array): Envelope;
  /** A fresh chain, and one re-verified from stored envelopes (throws when they no longer verify). */
  emptyChain(federationId: string): ObjectChain<O>;
  loadChain(federationId: string, envs: readonly Envelope[], charter: CharterChain): ObjectChain<O>;
  /** Gossip bodies (attacker-controlled) → envelope. */
  fromGossip(body: Record<string, unknown>): Envelope;
  /**
   * The governance leaf kinds of an accepted version and of a fork (e.g. `policy.bundle`, `policy.fork`);
   * optionally of a proposal this node makes or signs (the charter: `federation.proposal`).
   */
  readonly auditKinds: { accepted: string; fork: string; proposal?: string };
  /** The audit leaf of an accepted version, a fork, or (with `auditKinds.proposal`) a proposal signed here. */
  auditItem(
    kind: AuditStep,
    input: { federationId?: string; version: number; envelope: Envelope; digest: string; time: Date },
  ): AppendItem;
  /**
   * What a receipt says, when the object has receipts (policy does; the charter does not): without
   * them the chain issues none, keeps none, and its sync neither asks nor answers for any.
   */
  readonly receipts?: ObjectReceipts<O>;
  /** Extra fields of the `applied` event (e.g. the rule count). */
  appliedFields?(object: O): Record<string, unknown>;
  /** The wire name of a generic sync message type (for messages: `expected policy-hello`). */
  syncName(type: ChainSyncMessage['type']): string;
  /** Sync codec: generic message ↔ bytes of the module's wire format (bounded, validated). */
  encodeSync(msg: ChainSyncMessage): Uint8Array;
  decodeSync(bytes: Uint8Array): ChainSyncMessage;
}

/** The receipts of an object: "I applied version n, digest d, at log index i", signed by a member. */
export interface ObjectReceipts<O> {
  /** Gossip kind of receipts (e.g. `policy-receipt`). */
  readonly kind: string;
  /** Gossip body (attacker-controlled) → envelope. */
  fromGossip(body: Record<string, unknown>): Envelope;
  /** The signed receipt this node issues for an accepted version at `logIndex`. */
  issue(entry: ObjectEntry<O>, logIndex: number, appliedAt: string, seed: Uint8Array): Envelope;
  /** Verifies a receipt (attacker-controlled) against the charter. */
  verify(env: Envelope, charter: CharterChain): ReceiptFacts;
  /** The facts of a receipt this node holds. */
  of(env: Envelope): ReceiptFacts;
}

/** What the chain needs to know of a receipt. */
export interface ReceiptFacts {
  peerId: string;
  version: number;
  appliedAt: string;
  digest: string;
  logIndex: number;
}

/** The steps of a chain that leave an audit leaf. */
export type AuditStep = 'accepted' | 'fork' | 'proposal';

/** What the chain keeps across restarts (the owner's state file holds it). */
export interface ChainSnapshot {
  objects: Envelope[];
  pending: PendingProposal[];
  receipts: Envelope[];
  forks: Envelope[];
}

/** A pending (or just completed) proposal, for views. */
export interface ProposalInfo<O> {
  status: ObjectStatus<O>;
  expiresAt: string;
  /** True once it is this node's head. */
  applied: boolean;
}
