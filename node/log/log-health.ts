/**
 * What the audit log says about its own health (AuditLog.health()): whether it takes appends, the
 * storage fault it is recovering from (or died of), and the last checkpoint-signing failure. /healthz,
 * /readyz, GET /v1/node (`govfed status`) and /metrics all read this one object; metrics() adds the
 * counters and gauges of LogMetrics. Both are computed here from AuditLog's state (LogState).
 */
import { isGovfedError } from '../../protocol/errors.ts';
import type { FollowerSession } from './follower.ts';
import type { StoreFault } from './recovery.ts';
import type { StoreRun } from './store-run.ts';

/** A shared log's role in this process: undefined for a log with one writer. */
export type LogRole = 'leader' | 'follower';

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
  /** A shared log (several processes): this process's role — the lease holder, or a follower. */
  role?: LogRole;
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

/** What health and metrics are read from: AuditLog's session, its fault, and its failure counters. */
export interface LogState {
  /** A shared log's follower session (then `run` is undefined). */
  follower?: FollowerSession | undefined;
  /** A shared log's role in this process. */
  role?: LogRole | undefined;
  /** The running store session (undefined before start, after stop, and while faulted). */
  run: StoreRun | undefined;
  fault: StoreFault | undefined;
  stopping: boolean;
  /** Failed store writes over the log's life. */
  writeFailures: number;
  /** Checkpoint-signing failures of the sessions thrown away before `run`. */
  checkpointFailuresBefore: number;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** AuditLog.health(). */
export function logHealth({ run, fault, stopping, follower, role }: LogState): LogHealth {
  const signing = run?.checkpointer.lastError;
  return {
    ...(role === undefined ? {} : { role }),
    writable: (follower !== undefined || (run !== undefined && !run.appender.faulted)) && !stopping,
    fault:
      fault === undefined
        ? undefined
        : {
            ...problemOf(fault.fatal ?? fault.error, fault.since),
            fatal: fault.fatal !== undefined,
            reopenAttempts: fault.attempts,
            lastReopenError: fault.lastAttempt === undefined ? undefined : message(fault.lastAttempt),
          },
    checkpointError: signing === undefined ? undefined : problemOf(signing.error, signing.at),
    stopped: run === undefined && fault === undefined && follower === undefined,
  };
}

/** AuditLog.metrics(). */
export function logMetrics(state: LogState): LogMetrics {
  const { run, fault } = state;
  const failing = run?.checkpointer.lastError !== undefined ? 1 : 0;
  const common = {
    writable: logHealth(state).writable ? 1 : 0,
    checkpointFailing: failing,
    writeFailuresTotal: state.writeFailures,
    checkpointFailuresTotal: state.checkpointFailuresBefore + (run?.checkpointer.failuresTotal ?? 0),
  };
  const f = state.follower;
  if (f !== undefined) {
    return {
      size: f.size,
      pending: f.sequencer.pending,
      checkpointSize: f.latest().size,
      checkpointLagMs: 0,
      appendsTotal: f.sequencer.sequencedTotal,
      batchesTotal: 0,
      ...common,
    };
  }
  if (run === undefined) {
    return {
      size: fault?.acked.size ?? 0,
      pending: 0,
      checkpointSize: fault?.checkpoint.size ?? 0,
      checkpointLagMs: 0,
      appendsTotal: 0,
      batchesTotal: 0,
      ...common,
    };
  }
  return {
    size: run.appender.size,
    pending: run.appender.pending + (run.shared?.sequencer.pending ?? 0),
    checkpointSize: run.checkpointer.latest().size,
    checkpointLagMs: run.checkpointer.lagMs(),
    appendsTotal: run.appender.appendsTotal,
    batchesTotal: run.appender.batchesTotal,
    ...common,
  };
}
