/**
 * What a contract's `requiredMonitors` entry (protocol/registry/contract-terms.ts) means when it is
 * judged (docs/monitoring.md "Monitors"): which way its threshold points, and its conventional default.
 *
 *   kind     metrics                                          a window keeps
 *   binned   psi, ks                                          counts per baseline bin of `field`
 *   groups   demographic_parity_difference,                   per group of `groupField`: n, positive
 *            disparate_impact_ratio
 *   rate     shadow_ai_rate, denial_rate,                     n, hits
 *            contract_violation_rate
 *
 * Every metric breaches when its value is ABOVE the threshold, except disparate_impact_ratio, which
 * breaches BELOW it (four-fifths rule: < 0.8). A window with no value (too few decisions in groups, no
 * numeric values) never breaches.
 */
import type { MonitorMetric, RequiredMonitor } from '../registry/contract-terms.ts';

export type MonitorKind = 'binned' | 'groups' | 'rate';

export function monitorKind(metric: MonitorMetric): MonitorKind {
  switch (metric) {
    case 'psi':
    case 'ks':
      return 'binned';
    case 'demographic_parity_difference':
    case 'disparate_impact_ratio':
      return 'groups';
    default:
      return 'rate';
  }
}

/** The thresholds a contract may leave out: protocol/registry/contract-terms.ts DEFAULT_MONITOR_THRESHOLDS. */
export { DEFAULT_MONITOR_THRESHOLDS } from '../registry/contract-terms.ts';

/** Whether `value` breaches `m`'s threshold (null: no value, no breach). */
export function breaches(m: Pick<RequiredMonitor, 'metric' | 'threshold'>, value: number | null): boolean {
  if (value === null) return false;
  return m.metric === 'disparate_impact_ratio' ? value < m.threshold : value > m.threshold;
}

/** A stable, short name of a monitor for flags, metrics and events: `psi:output.score`. */
export function monitorName(m: RequiredMonitor): string {
  const on = m.field ?? m.groupField;
  return on === undefined ? m.metric : `${m.metric}:${on}`;
}
