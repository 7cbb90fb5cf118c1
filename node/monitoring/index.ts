/**
 * node/monitoring — drift, bias and shadow-AI monitors on the node (issue 15; docs/monitoring.md).
 *
 * Sealing (node/decisions) turns each decision of a version whose contract has `requiredMonitors` into
 * an observation (protocol/monitoring observe.ts); MonitorService counts them into windows, signs each
 * full window, logs, stores and gossips it, flags breaches and, for `onBreach: "suspend"`, pulls the
 * kill switch through the node's monitor identity. Members' windows are verified before they are kept.
 *
 *   service.ts           MonitorService: the federation module (gossip kind `monitor-window`)
 *   open-windows.ts      the windows being filled (counts only), closed by count or time
 *   window-book.ts       the windows held (own and members'), the latest per org × monitor, the flags
 *   history.ts           the held windows of a version over time, in pages (GET …/monitoring/windows)
 *   monitor-identity.ts  the node's `monitor` risk officer and its key (DIR/keys/monitor.key)
 *   store.ts             DIR/monitoring/state.json
 *   metrics.ts           govfed_monitor_* metrics
 */
export { MonitorMetrics } from './metrics.ts';
export { MONITOR_PERSON, MonitorIdentity } from './monitor-identity.ts';
export { MONITOR_WINDOW_KIND, MonitorService, type MonitorServiceOptions } from './service.ts';
export { type HeldWindow, WindowBook } from './window-book.ts';
