/**
 * node/decisions — recording model decisions: check once, evaluate the policy, seal, append.
 *
 *   sealer.ts       the work per request (check; resolve, contract, kill switch, policy, seal), shared by
 *                   both paths so that they give the same leaves, verdicts and errors
 *   recorder.ts     DecisionRecorder: that work on the calling thread, then one append
 *   pool.ts         IngestPool: that work on worker threads (worker.ts), the log, registry, clock and
 *                   CSPRNG kept on the main thread; started with the first request
 *   body.ts         a raw POST /v1/decisions body parsed and validated as the route does (workers)
 *   reply.ts        the route's answer written as JSON text on the worker
 *   schema.ts       the decision record's and the body's JSON schemas (route and workers)
 *   primitives.ts   OpenSSL SHA-256 and Buffer UTF-8 for sealing on the node
 *   ingest-messages.ts  what the main thread and a worker say to each other
 *
 * POST /v1/decisions (node/api/routes/decisions-post.ts) hands the raw body to the IngestPool when the
 * node runs one (config ingestWorkers, default one per core from two), else its parsed records to a
 * DecisionRecorder.
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
