/**
 * Prometheus metrics of one node, in their own Registry (never prom-client's global one, so two nodes
 * in one process — as in tests — do not share counters).
 *
 * Counters and histograms are updated where things happen (the ingest route, the error handler, the
 * HTTP hook, the log's onCommit callback); gauges are read from the log when Prometheus scrapes.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { verificationCount } from '../crypto/ed25519.ts';
import type { LogMetrics } from '../log/index.ts';

const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface NodeMetricsOptions {
  /** Also export prom-client's default process metrics (CPU, memory, event loop, GC). Default true. */
  defaultMetrics?: boolean;
}

export class NodeMetrics {
  readonly registry = new Registry();
  readonly decisionsIngested: Counter;
  readonly backpressureRejections: Counter;
  readonly rateLimited: Counter<'limit'>;
  readonly appendBatchSeconds: Histogram;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  #source: (() => LogMetrics) | undefined;

  constructor(opts: NodeMetricsOptions = {}) {
    const registers = [this.registry];
    this.decisionsIngested = new Counter({
      name: 'govfed_decisions_ingested_total',
      help: 'Decision records acknowledged as durable.',
      registers,
    });
    this.backpressureRejections = new Counter({
      name: 'govfed_backpressure_rejections_total',
      help: 'Ingest requests answered 503 because the log had too many pending entries.',
      registers,
    });
    this.rateLimited = new Counter({
      name: 'govfed_rate_limited_total',
      help: 'Requests answered 429 ERR_RATE_LIMITED, by the budget they exceeded (perIp, perToken, ingestPerToken).',
      labelNames: ['limit'],
      registers,
    });
    this.appendBatchSeconds = new Histogram({
      name: 'govfed_append_batch_seconds',
      help: 'Time to commit one group-commit batch to disk (synced).',
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.httpRequestDuration = new Histogram({
      name: 'govfed_http_request_duration_seconds',
      help: 'HTTP request latency.',
      labelNames: ['method', 'route', 'status'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    const source = () => this.#source?.();
    const gauge = (name: string, help: string, read: (m: LogMetrics) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const m = source();
          if (m !== undefined) this.set(read(m));
        },
      });
    gauge('govfed_log_size', 'Entries durable in the log.', (m) => m.size);
    gauge('govfed_checkpoint_size', 'Tree size of the latest signed checkpoint.', (m) => m.checkpointSize);
    gauge(
      'govfed_checkpoint_lag_seconds',
      'How far the latest signed checkpoint lags behind the log.',
      (m) => m.checkpointLagMs / 1000,
    );
    gauge('govfed_log_pending_entries', 'Entries accepted but not yet durable.', (m) => m.pending);
    gauge(
      'govfed_log_writable',
      '1 when the log takes appends; 0 after a failed store write (reopening) or a fatal storage fault.',
      (m) => m.writable,
    );
    gauge(
      'govfed_checkpoint_signing_failing',
      '1 while the last checkpoint signing failed and none succeeded since.',
      (m) => m.checkpointFailing,
    );
    // Totals read from the log at scrape time (a gauge that only grows: the log owns the count).
    gauge(
      'govfed_log_write_failures_total',
      'Failed writes to the log store (each one faults the store session).',
      (m) => m.writeFailuresTotal,
    );
    gauge('govfed_checkpoint_sign_failures_total', 'Failed checkpoint signings.', (m) => m.checkpointFailuresTotal);
    new Gauge({
      name: 'govfed_signature_verifications_total',
      help: 'Ed25519 signatures checked on OpenSSL by this process (gossip, charters, checkpoints, cosignatures, …).',
      registers,
      collect() {
        this.set(verificationCount());
      },
    });
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the log gauges read from (the AuditLog's metrics()). */
  observeLog(source: () => LogMetrics): void {
    this.#source = source;
  }

  /** For AuditLogOptions.onCommit: one batch of `n` entries took `ms` milliseconds. */
  readonly onCommit = (_n: number, ms: number): void => {
    this.appendBatchSeconds.observe(ms / 1000);
  };
}
