/**
 * node/report — the cross-org compliance report on the node (issue 15; docs/reports.md).
 *
 *   service.ts        ReportService: the federation module (`/govfed/report/1.0.0`), start/stop
 *   counter.ts        rolling decision counters per version, read from this node's log (DIR/report/state.json)
 *   counts-service.ts signed model-counts statements, logged as `model.counts` leaves
 *   gather.ts         one report: gathered from every member, proven, summarised, signed
 *   assemble.ts       the proven records made into the report (opened as a verifier will), its summary
 */
export { DEFAULT_WITNESS_WAIT_MS, type ReportSubject } from './gather.ts';
export { ReportService, type ReportServiceOptions } from './service.ts';
