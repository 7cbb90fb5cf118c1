/**
 * node/decisions — recording model decisions: check once, evaluate the policy, seal, append
 * (recorder.ts). The HTTP route POST /v1/decisions is its schema plus one call to DecisionRecorder.record.
 */
export {
  type DecisionPolicy,
  DecisionRecorder,
  type DecisionRecorderOptions,
  type DecisionToRecord,
  type RecordedDecision,
} from './recorder.ts';
