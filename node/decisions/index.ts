/**
 * node/decisions — recording model decisions: check once, evaluate the policy, seal, append.
 *
 *   sealer.ts      the work per request (check, resolve, contract, policy, seal), shared by both paths
 *   recorder.ts    DecisionRecorder: that work on the calling thread, then one append
 *   primitives.ts  OpenSSL SHA-256 and Buffer UTF-8 for sealing on the node
 *
 * The HTTP route POST /v1/decisions is its schema plus one call to DecisionRecorder.record.
 */
export { DecisionRecorder, type DecisionRecorderOptions } from './recorder.ts';
export {
  appendItemOf,
  type DecisionModels,
  type DecisionPolicy,
  DecisionSealer,
  type DecisionToRecord,
  modelFlags,
  type RecordedDecision,
} from './sealer.ts';
