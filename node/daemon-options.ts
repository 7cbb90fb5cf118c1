/**
 * The options of node/daemon.ts's Daemon: where its output goes, the log's tuning, and the callbacks
 * through which `govfed start` (cli/commands/start.ts) learns that the process must exit or start again.
 */
import type { AuditLogOptions } from './log/index.ts';

export interface DaemonOptions {
  /** Receives the "listening" line (default: process.stdout). */
  stdout?: (line: string) => void;
  /** Receives one JSON event per line (default: process.stderr). */
  stderr?: (line: string) => void;
  /** Export prom-client's default process metrics (default true). */
  defaultMetrics?: boolean;
  /**
   * Log tuning passed to AuditLog (defaults there). `wrapDb` wraps the opened store: for tests and benches
   * only (a disk that fails; bench/ingest-ablation.bench.ts's store that leaves key kinds out) — `govfed
   * start` never sets it.
   */
  log?: Pick<AuditLogOptions, 'maxPendingEntries' | 'maxBatchEntries' | 'wrapDb'>;
  now?: () => Date;
  /**
   * Called when the audit log gave up after a failed write (the reopened store did not hold what was
   * acknowledged): the process must exit non-zero so that a supervisor restarts it (and the start-up
   * check then refuses with ERR_LOG_ROLLBACK). `govfed start` stops the daemon and exits 4. Also called
   * when a follower of a shared log finds that a key rotation made its home's keys outdated
   * (ERR_KEYS_OUTDATED, node/ha keys-guard.ts): `govfed start` stops and fails with that error (exit 4).
   */
  onFatal?: (err: unknown) => void;
  /**
   * Called when the node must start again with what is now on disk: its peer key was rotated
   * (node/federation/rotation.ts) and libp2p, every signature and every module must use the new one.
   * `govfed start` stops this daemon and starts a new one in the same process, on the same API address.
   * Without it the event `keys:rotated` says that a restart is needed.
   */
  onRestart?: () => void;
  /**
   * This process's name in a PostgreSQL writer lease, the same across its in-process restarts (a follower
   * that took the free lease restarts and takes it back at once). Default: a new one per daemon.
   */
  holder?: string;
}
