import { describe, expect, it } from 'vitest';
import { type LogState, logHealth, logMetrics } from '../../../node/log/log-health.ts';
import type { StoreFault } from '../../../node/log/recovery.ts';

const stopped: LogState = {
  run: undefined,
  fault: undefined,
  stopping: false,
  writeFailures: 0,
  checkpointFailuresBefore: 0,
};

describe('logHealth', () => {
  describe('when the log has no session and no fault', () => {
    it('says stopped and not writable', () => {
      expect(logHealth(stopped)).toEqual({
        writable: false,
        stopped: true,
        fault: undefined,
        checkpointError: undefined,
      });
    });
  });

  describe('when the log is reopening after a failed write', () => {
    it('reports the fault with its code, attempts and last reopen error', () => {
      const since = new Date('2026-01-02T03:04:05Z');
      const fault = {
        error: new Error('IO error: disk full'),
        since,
        attempts: 2,
        lastAttempt: new Error('still full'),
        fatal: undefined,
        acked: { size: 7 },
        checkpoint: { size: 5 },
      } as unknown as StoreFault;
      const state = { ...stopped, fault, writeFailures: 3, checkpointFailuresBefore: 1 };
      expect(logHealth(state)).toEqual({
        writable: false,
        stopped: false,
        checkpointError: undefined,
        fault: {
          code: 'ERR_LOG_UNAVAILABLE',
          message: 'IO error: disk full',
          since: since.toISOString(),
          fatal: false,
          reopenAttempts: 2,
          lastReopenError: 'still full',
        },
      });
      expect(logMetrics(state)).toEqual(
        expect.objectContaining({
          size: 7,
          checkpointSize: 5,
          pending: 0,
          writable: 0,
          writeFailuresTotal: 3,
          checkpointFailuresTotal: 1,
        }),
      );
    });
  });
});
