/**
 * The policy service's Prometheus metrics, registered in the node's registry:
 *
 *   govfed_policy_version                        the active baseline's version (0: none)
 *   govfed_policy_expired                        1 while the active baseline is past its expiresAt
 *   govfed_policy_evaluations_total{verdict}     evaluations, by verdict (allowed | denied)
 *   govfed_policy_rejected_total{code}           bundles, proposals and receipts rejected, by error code
 *
 * Gauges are read from the service when Prometheus scrapes; counters are bumped where things happen.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface PolicyGaugeSource {
  readonly version: number;
  readonly expired: boolean;
}

export class PolicyMetrics {
  readonly #evaluations: Counter<'verdict'>;
  readonly #rejected: Counter<'code'>;
  // Bound children: the hot path does no label lookup.
  readonly #allowed: { inc(n?: number): void };
  readonly #denied: { inc(n?: number): void };

  constructor(registry: Registry, source: PolicyGaugeSource) {
    const registers = [registry];
    new Gauge({
      name: 'govfed_policy_version',
      help: 'Version of the active global policy baseline (0: none).',
      registers,
      collect() {
        this.set(source.version);
      },
    });
    new Gauge({
      name: 'govfed_policy_expired',
      help: '1 while the active global policy baseline is past its expiresAt (its rules still apply).',
      registers,
      collect() {
        this.set(source.expired ? 1 : 0);
      },
    });
    this.#evaluations = new Counter({
      name: 'govfed_policy_evaluations_total',
      help: 'Policy evaluations (decision ingest and POST /v1/evaluate), by verdict.',
      labelNames: ['verdict'],
      registers,
    });
    this.#rejected = new Counter({
      name: 'govfed_policy_rejected_total',
      help: 'Policy bundles, proposals and receipts rejected, by error code.',
      labelNames: ['code'],
      registers,
    });
    this.#allowed = this.#evaluations.labels('allowed');
    this.#denied = this.#evaluations.labels('denied');
  }

  evaluated(allowed: boolean, count = 1): void {
    if (count > 0) (allowed ? this.#allowed : this.#denied).inc(count);
  }

  rejected(code: string): void {
    this.#rejected.inc({ code });
  }
}
