/**
 * protocol/report — the cross-org compliance report (issue 15; docs/reports.md), pure.
 *
 * A node asked for a report on a model gathers, from every member, the signed records about it
 * (registration, approvals, contracts, kill-switch records, deployments, monitoring windows) and each
 * member's signed rolling aggregate of its decisions (counts.ts: one statement per org and version,
 * whatever the number of decisions), each with an inclusion proof against a witnessed checkpoint of the
 * log of the org that made it (evidence.ts says which leaf each record has). The summary (summary.ts)
 * and the controls (controls.ts) are pure functions of that evidence; the node signs the whole
 * (report.ts). verify.ts checks a report offline with protocol/ alone, and recomputes every number.
 *
 *   counts.ts    govfed.model-counts/v1: the signed per-version decision counters
 *   evidence.ts  the evidence kinds and the governance leaf of each record
 *   summary.ts   deployments, approvals, counts, windows, kill switch per version
 *   controls.ts  EU AI Act Art. 9/12/14/72/73, NIST AI RMF MANAGE 2.4, ISO/IEC 42001 A.6
 *   oscal.ts     the report as OSCAL 1.1 assessment-results
 *   protocol.ts  /govfed/report/1.0.0: asking a member for its counts statements
 *   report.ts    the report file (govfed-report/v1)
 *   shape.ts     verification step 1: the file's canonical form and fields
 *   status.ts    a version's status across orgs at a glance (the HTML page's and the console's)
 *   open.ts      verification step 6: each record verified as its kind, and its leaf
 *   verify.ts    the offline verifier (a numbered checklist)
 */
export * from './controls.ts';
export * from './counts.ts';
export * from './evidence.ts';
export * from './open.ts';
export * from './oscal.ts';
export * from './protocol.ts';
export * from './report.ts';
export * from './shape.ts';
export * from './status.ts';
export * from './summary.ts';
export * from './verify.ts';
