import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { NodeMetrics } from '../../../node/api/metrics.ts';

describe('NodeMetrics', () => {
  describe('when two nodes run in one process', () => {
    it('keeps their metrics apart and off the global registry', async () => {
      const a = new NodeMetrics({ defaultMetrics: false });
      const b = new NodeMetrics({ defaultMetrics: false });
      a.decisionsIngested.inc(5);
      expect(await a.registry.getSingleMetricAsString('govfed_decisions_ingested_total')).toContain(' 5');
      expect(await b.registry.getSingleMetricAsString('govfed_decisions_ingested_total')).toContain(' 0');
      expect(register.getSingleMetric('govfed_decisions_ingested_total')).toBeUndefined();
    });
  });

  describe('when the log is observed', () => {
    it('reads the gauges from it at scrape time', async () => {
      const m = new NodeMetrics({ defaultMetrics: false });
      let size = 1;
      m.observeLog(() => ({
        size,
        pending: 3,
        checkpointSize: 1,
        checkpointLagMs: 1500,
        appendsTotal: 0,
        batchesTotal: 0,
        writable: 0,
        checkpointFailing: 1,
        writeFailuresTotal: 2,
        checkpointFailuresTotal: 3,
      }));
      size = 42;
      const text = await m.registry.metrics();
      expect(text).toMatch(/^govfed_log_size 42$/m);
      expect(text).toMatch(/^govfed_log_pending_entries 3$/m);
      expect(text).toMatch(/^govfed_checkpoint_lag_seconds 1\.5$/m);
      expect(text).toMatch(/^govfed_log_writable 0$/m);
      expect(text).toMatch(/^govfed_checkpoint_signing_failing 1$/m);
      expect(text).toMatch(/^govfed_log_write_failures_total 2$/m);
      expect(text).toMatch(/^govfed_checkpoint_sign_failures_total 3$/m);
    });
  });

  describe('when the log commits a batch', () => {
    it('observes its duration in seconds', async () => {
      const m = new NodeMetrics({ defaultMetrics: false });
      m.onCommit(100, 4);
      const text = await m.registry.metrics();
      expect(text).toMatch(/^govfed_append_batch_seconds_sum 0\.004$/m);
      expect(text).toMatch(/^govfed_append_batch_seconds_bucket\{le="0\.005"\} 1$/m);
    });
  });

  describe('when default metrics are on', () => {
    it('exports process metrics too', async () => {
      const m = new NodeMetrics();
      expect(await m.registry.metrics()).toContain('process_cpu_user_seconds_total');
    });
  });
});
