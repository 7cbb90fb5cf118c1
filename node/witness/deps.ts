/**
 * What the parts of the witness service share: this node's home and log, the witness store, the view
 * of the charter (members.ts), the per-origin queue, events, metrics and the federation context once
 * attached. service.ts builds one and hands it to every part.
 */

import type { Counter, Gauge } from 'prom-client';
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import type { NoteSigner } from '../../protocol/note/index.ts';
import type { EventSink } from '../events.ts';
import type { FederationContext } from '../federation/module.ts';
import type { AuditLog } from '../log/index.ts';
import type { ServedLog } from './log-server.ts';
import type { MemberLogs } from './members.ts';
import type { OriginQueue } from './queue.ts';
import type { WitnessStorage } from './store.ts';

/** This node: its org, log origin and keys (config.verifierKey, config.witnessKey), the witness signer. */
export interface WitnessHome {
  config: { org: string; origin: string; verifierKey: string; witnessKey?: string };
  paths: { witness: string };
  witnessSigner: NoteSigner;
}

/** What the witness reads from (and appends to) this node's audit log. */
export type WitnessLog = Pick<
  AuditLog,
  | 'checkpoint'
  | 'onCheckpoint'
  | 'entry'
  | 'proveConsistency'
  | 'proveInclusion'
  | 'treeHash'
  | 'append'
  | 'size'
  | 'lookupLeafHash'
  | 'lookupDecision'
  | 'lookupGovernance'
>;

/** govfed_witness_* metrics (metrics.ts). */
export interface WitnessMetrics {
  cosigned: Counter;
  equivocations: Counter;
  requests: Counter<'result'>;
  gossiped: Counter;
  lag: Gauge;
}

export interface WitnessDeps {
  home: WitnessHome;
  log: WitnessLog;
  store: WitnessStorage;
  members: MemberLogs;
  queue: OriginQueue;
  events: EventSink;
  now: () => Date;
  metrics: WitnessMetrics | undefined;
  /** The Ed25519 verifier of every signature the witness checks (node/crypto's opensslVerify). */
  verify: Ed25519Verify;
  /** This node's retired logs by origin (`keys rotate --log`): read-only, still witnessed and provable. */
  retired: ReadonlyMap<string, ServedLog>;
  /** The federation context, once the service is attached to a FederationService. */
  federation(): FederationContext | undefined;
  /** True between start() and stop(). */
  running(): boolean;
}

/** True for this node's own logs: the current one and the retired ones (a node never witnesses them). */
export function isOwnOrigin(d: Pick<WitnessDeps, 'home' | 'retired'>, origin: string): boolean {
  return origin === d.home.config.origin || d.retired.has(origin);
}

/** The log of `origin` when it is one of this node's own (current or retired), to read from. */
export function ownLog(d: Pick<WitnessDeps, 'home' | 'retired' | 'log'>, origin: string): ServedLog | undefined {
  return origin === d.home.config.origin ? d.log : d.retired.get(origin);
}
