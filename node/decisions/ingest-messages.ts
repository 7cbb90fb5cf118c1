/**
 * The messages between the main thread (pool.ts) and an ingest worker (worker.ts). Structured-cloned
 * by node:worker_threads; both sides are this project's code, so they are typed, not re-validated.
 *
 *   main → worker   rules   the enforced baseline and local overlay (each time they change; FIFO per
 *                           worker, so every later request is sealed under them)
 *                   check   one request's raw body
 *                   seal    the models its records name (resolved on the main thread), `now`, the
 *                           random bytes it needs, the kill-switch state's age
 *                   drop    forget a checked request (the main thread gave up on it)
 *   worker → main   checked the distinct model references and how many random bytes sealing takes
 *                   sealed  the leaves and records, their hashes (transferred buffers), their index
 *                           keys (node/log KeyParts), their entries of the answer as JSON text and
 *                           what they contribute to monitors
 *                   failed  a typed error (code, message) — or `internal` for anything else
 */

import type { ObservationRun } from '../../protocol/monitoring/observe.ts';
import type { Tally } from '../../protocol/report/counts.ts';
import type { EnforcedRules } from '../policy/service.ts';
import type { ResolvedModel } from '../registry/model-book.ts';
import type { RecordedDecision } from './sealer.ts';

/** What a worker is started with. */
export interface IngestWorkerData {
  org: string;
  jurisdiction: string;
  /** Whether the node runs a policy service (without one, decisions carry no verdict). */
  policy: boolean;
  /** Whether the node keeps a model registry (without one, decisions carry no model facts). */
  models: boolean;
}

export type ToWorker =
  | { t: 'rules'; rules: EnforcedRules }
  | { t: 'check'; id: number; body: Uint8Array }
  | {
      t: 'seal';
      id: number;
      now: number;
      random: Uint8Array;
      resolved: [string, ResolvedModel][];
      revocationAgeMs: number;
    }
  | { t: 'drop'; id: number };

/** The reply parts of one sealed decision (RecordedDecision without its place in the log). */
export type SealedReply = Omit<RecordedDecision, 'index' | 'leafHash'>;

export type FromWorker =
  | { t: 'checked'; id: number; refs: string[]; random: number }
  | {
      t: 'sealed';
      id: number;
      /** Leaf i is bytes[ends[2i-1] ?? 0 .. ends[2i]), its record bytes[ends[2i] .. ends[2i+1]). */
      bytes: Uint8Array;
      ends: Uint32Array;
      /** Leaf i's RFC 6962 hash: hashes[32i .. 32i+32). */
      hashes: Uint8Array;
      /** Leaf i's index keys (node/log KeyParts): fixed keys[keyEnds[2i-1] ?? 0 .. keyEnds[2i]), positional ones up to keyEnds[2i+1]. */
      keys: string[];
      keyEnds: Uint32Array;
      /** Entry i of the answer after its index (reply.ts entryAfterIndex). */
      entries: string[];
      /** Policy verdicts reached (for govfed_policy_evaluations_total). */
      allowed: number;
      denied: number;
      /** What the decisions contribute to their versions' monitors, in order (sealer.ts). */
      observations: ObservationRun[];
      /** What the decisions add to their versions' rolling counters, by model digest (sealer.ts talliesOf). */
      tallies: Record<string, Tally>;
    }
  | { t: 'failed'; id: number; code?: string; message: string };
