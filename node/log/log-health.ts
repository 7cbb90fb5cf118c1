/**
 * What the audit log says about its own health (AuditLog.health()): whether it takes appends, the
 * storage fault it is recovering from (or died of), and the last checkpoint-signing failure. /healthz,
 * /readyz, GET /v1/node (`govfed status`) and /metrics all read this one object; metrics() adds the
 * counters and gauges of LogMetrics.
 */
import { isGovfedError } from '../../protocol/errors.ts';

/** A failure as the operator sees it: a code, a message and since when. */
export interface LogProblem {
  code: string;
  message: string;
  /** RFC 3339. */
  since: string;
}

export interface LogHealth {
  /** The log takes appends now. */
  writable: boolean;
  /** The log is not running (before start, after stop). */
  stopped: boolean;
  /** A failed store write: the log is reopening the store (fatal: false) or gave up for good (fatal: true). */
  fault?: LogProblem & { fatal: boolean; reopenAttempts: number; lastReopenError?: string };
  /** The last checkpoint signing failed, and none succeeded since. */
  checkpointError?: LogProblem;
}

/** The code and message of any error; errors without a govfed code are ERR_LOG_UNAVAILABLE (I/O). */
export function problemOf(err: unknown, since: Date): LogProblem {
  const code = isGovfedError(err) ? err.code : 'ERR_LOG_UNAVAILABLE';
  return { code, message: err instanceof Error ? err.message : String(err), since: since.toISOString() };
}

/** AuditLog.metrics(): what Prometheus scrapes (node/api/metrics.ts). */
export interface LogMetrics {
  size: number;
  pending: number;
  checkpointSize: number;
  checkpointLagMs: number;
  appendsTotal: number;
  batchesTotal: number;
  /** 1 when the log takes appends, 0 while faulted (reopening) or after a fatal fault. */
  writable: number;
  /** 1 while the last checkpoint signing failed (and none succeeded since). */
  checkpointFailing: number;
  /** Failed store writes (each one faults the store session). */
  writeFailuresTotal: number;
  /** Failed checkpoint signings. */
  checkpointFailuresTotal: number;
}
