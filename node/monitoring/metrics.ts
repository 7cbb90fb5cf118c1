/**
 * Monitoring's Prometheus metrics, registered in the node's registry:
 *
 *   govfed_monitor_windows_total{metric,breach}   windows this node closed and signed, by metric and breach
 *   govfed_monitor_flags{model,monitor,org}       1 for each latest window (any org's) that breaches
 *   govfed_monitor_observations_dropped_total     decisions of a contract this node did not hold when counted
 *
 * The gauge is read from the window book when Prometheus scrapes.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface FlagSource {
  flags(): { model: string; monitor: string; org: string }[];
}

export class MonitorMetrics {
  readonly #windows: Counter<'metric' | 'breach'>;
  readonly #dropped: Counter;

  constructor(registry: Registry, source: FlagSource) {
    const registers = [registry];
    this.#windows = new Counter({
      name: 'govfed_monitor_windows_total',
      help: 'Monitoring windows this node closed and signed, by metric and whether they breached.',
      labelNames: ['metric', 'breach'],
      registers,
    });
    this.#dropped = new Counter({
      name: 'govfed_monitor_observations_dropped_total',
      help: 'Decisions not counted in a monitoring window (their contract was not held when counted).',
      registers,
    });
    new Gauge({
      name: 'govfed_monitor_flags',
      help: 'Monitoring flags: 1 for each latest window of a model version (any org) that breaches its contract.',
      labelNames: ['model', 'monitor', 'org'],
      registers,
      collect() {
        this.reset();
        for (const f of source.flags()) this.set(f, 1);
      },
    });
  }

  window(metric: string, breach: boolean): void {
    this.#windows.inc({ metric, breach: String(breach) });
  }

  dropped(n: number): void {
    if (n > 0) this.#dropped.inc(n);
  }
}
