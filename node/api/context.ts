/**
 * What the routes depend on. The API talks to the audit log through LogPort — the part of node/log's
 * AuditLog it uses — so the daemon passes the real AuditLog and nothing here reaches into its storage.
 */

import type { EventSink } from '../events.ts';
import type { LoadedHome } from '../home/load.ts';
import type { TokenAuthority } from '../home/tokens.ts';
import type { AuditLog, RetiredLog } from '../log/index.ts';
import type { FollowerPort } from './follower.ts';
import type { LiveFeed } from './live.ts';
import type { NodeMetrics } from './metrics.ts';
import type { FederationPort, FreshnessPort } from './ports/federation.ts';
import type { ModelsPort } from './ports/models.ts';
import type { MonitoringPort } from './ports/monitoring.ts';
import type { PolicyPort } from './ports/policy.ts';
import type { RegistryPort } from './ports/registry.ts';
import type { ReportPort } from './ports/report.ts';
import type { WitnessPort } from './ports/witness.ts';

export type { EventSink } from '../events.ts';
export type { FsckReport, LogHealth, LogMetrics, SignedCheckpoint } from '../log/index.ts';

/** The audit log as the API sees it (node/log's AuditLog). */
export type LogPort = Pick<
  AuditLog,
  | 'size'
  | 'append'
  | 'entry'
  | 'tile'
  | 'record'
  | 'checkpoint'
  | 'checkpointNow'
  | 'checkpoints'
  | 'proveInclusion'
  | 'proveConsistency'
  | 'fsck'
  | 'metrics'
  | 'health'
  | 'lookupLeafHash'
  | 'lookupDecision'
  | 'searchDecisions'
>;

export interface ApiContext {
  log: LogPort;
  home: Pick<LoadedHome, 'dir' | 'config'>;
  tokens: TokenAuthority;
  metrics: NodeMetrics;
  startedAt: Date;
  events: EventSink;
  now: () => Date;
  /** A CSPRNG: n random bytes. */
  random: (n: number) => Uint8Array;
  /** The web console's live-update feed (GET /v1/events). */
  live: LiveFeed;
  /** The federation service; absent when the app runs without one (routes answer ERR_NO_FEDERATION). */
  federation?: FederationPort;
  /** Charter freshness; absent when the app runs without it (GET /healthz then never reports it). */
  freshness?: FreshnessPort;
  /** The policy service; absent when the app runs without one (no enforcement; /v1/policy answers 409). */
  policy?: PolicyPort;
  /** The witness service; absent when the app runs without one (witness routes answer ERR_NO_WITNESS). */
  witness?: WitnessPort;
  /** The model registry's rosters; absent when the app runs without it. */
  registry?: RegistryPort;
  /** The model registry's registrations and approvals; absent when the app runs without it. */
  models?: ModelsPort;
  /** Monitoring (node/monitoring); absent: decisions are not monitored and no flags are shown. */
  monitoring?: MonitoringPort;
  /** Compliance reports (node/report); absent: /v1/reports answers ERR_NO_FEDERATION. */
  report?: ReportPort;
  /**
   * Ingest worker threads (node/decisions IngestPool): when present, POST /v1/decisions hands them the
   * raw body; absent, it parses, checks and seals on the main thread (DecisionRecorder).
   */
  ingest?: IngestPort;
  /**
   * The process's role in a log shared by several processes (node/api follower.ts); absent: this process
   * is its log's only writer.
   */
  follower?: FollowerPort;
  /**
   * The logs of earlier log keys this process holds open, by origin (node/home RetiredLogs); absent or
   * without one of config.retiredLogs: that log is read from DIR/retired (fsck).
   */
  retiredLogs?: ReadonlyMap<string, RetiredLog>;
}

/** What POST /v1/decisions needs of the ingest workers. */
export interface IngestPort {
  /** Records a raw body's decisions; resolves with the answer as JSON text once durable. */
  record(body: Uint8Array): Promise<{ count: number; json: string }>;
}
