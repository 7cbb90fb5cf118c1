/**
 * What the owner of a replicated chain gives it (the policy service, the federation's charter module):
 * this node's keys, the audit log, persistence of its state, and hooks for what the owner does around
 * the chain — swapping what it enforces when the head moves, counting rejections, work after a version
 * is applied, and join windows for the charter. The module's object-specific parts are object.ts.
 */
import type { Envelope } from '../../protocol/federation/index.ts';
import type { EventSink } from '../events.ts';
import type { AuditLog } from '../log/index.ts';
import type { ObjectEntry, ObjectStatus, ReplicatedObject } from './object.ts';
import type { PendingProposal } from './pending.ts';

export interface ReplicatedChainOptions<O> {
  object: ReplicatedObject<O>;
  /** This node's peer id and the seed of its peer key (it signs proposals and receipts). */
  self: string;
  seed: Uint8Array;
  log: Pick<AuditLog, 'append'>;
  events: EventSink;
  now: () => Date;
  /** Writes the owner's state (snapshot() and whatever else it keeps). */
  persist: () => Promise<void>;
  /**
   * The head was loaded (restore, the charter's first check) or changed by an accepted version:
   * called synchronously, before anything else sees the chain.
   */
  onHead: (head: ObjectEntry<O> | undefined, reason: 'loaded' | 'applied') => void;
  /** A rejection, by code (e.g. a metrics counter, or the owner's own report when the module names no event). */
  onRejected?: (code: string, via: string, peer: string, err: unknown) => void;
  /**
   * After an accepted version was persisted and audited (on the tail, in order): the owner's follow-up
   * work (the charter: close the connections it no longer allows, pass on a version learnt by sync).
   */
  onApplied?: (head: ObjectEntry<O>, via: string) => Promise<void>;
  /**
   * The join-window hook: a pending proposal was stored or gained signatures (`status` is the merged
   * copy's); `local` when made or signed here. The charter opens windows for the peers it adds.
   */
  onPending?: (status: ObjectStatus<O>, env: Envelope, expiresAt: string, local: boolean) => void;
  /** A pending proposal left (applied, superseded, expired, trimmed): e.g. its join windows close. */
  onPendingDropped?: (p: PendingProposal) => void;
}
