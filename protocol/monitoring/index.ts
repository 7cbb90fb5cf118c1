/**
 * protocol/monitoring — drift, bias and shadow-AI monitors over a model version's decisions
 * (docs/monitoring.md), pure: no I/O. A contract's `requiredMonitors` (protocol/registry/contract-terms.ts)
 * name a metric, a threshold and a window; a node computes each window from counts only and signs it.
 *
 *   baseline.ts   the reference bins committed at registration (sample values → quantile bins)
 *   psi.ts        population stability index over the baseline's bins (ε = 1e-4; warn 0.1, critical 0.25)
 *   ks.ts         two-sample Kolmogorov–Smirnov statistic (binned on the ingest path; exact for samples)
 *   fairness.ts   demographic parity difference, disparate impact ratio (four-fifths rule, min group 30)
 *   rates.ts      shadow_ai_rate, denial_rate, contract_violation_rate
 *   monitor.ts    a monitor's kind, breach direction and default thresholds
 *   observe.ts    what one decision contributes to each monitor (on the sealing thread)
 *   window.ts     a window's counts and the value they give
 *   counts.ts     checking counts off the wire
 *   compare.ts    a candidate's window against the live version's: differs beyond the threshold?
 *   statement.ts  the signed monitoring-window statement (govfed.monitor-window/v1) and its checklist
 *   sync.ts       the windows' anti-entropy frames (/govfed/monitoring/1.0.0)
 */
export * from './baseline.ts';
export * from './compare.ts';
export * from './fairness.ts';
export * from './ks.ts';
export * from './monitor.ts';
export * from './observe.ts';
export * from './psi.ts';
export * from './rates.ts';
export * from './statement.ts';
export * from './sync.ts';
export * from './window.ts';
