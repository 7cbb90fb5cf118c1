/**
 * node/log — the node's durable audit log: a transparency log (RFC 6962 Merkle tree, Go-tlog stored
 * hashes, C2SP checkpoints) on LevelDB.
 *
 * The model in plain words:
 *  - Each entry is a leaf (protocol/audit) stored under `l/<index>`, with the raw record beside it
 *    under `r/<index>` when there is one. The hash of every complete subtree is stored under
 *    `h/<stored index>` as it is completed, so roots and proofs for any size are a few reads, and a
 *    restart reloads the tree's right edge (at most 52 hashes) instead of re-hashing the log.
 *  - Appends are group-committed: everything that arrives while a batch is being written is hashed and
 *    staged into the next one; each batch is one LevelDB write with fsync ({sync: true}), and an append
 *    resolves only when its batch is on disk. Too much pending → ERR_BACKPRESSURE, never a silent drop.
 *    (appender.ts)
 *  - A checkpoint (C2SP signed note: origin, size, root) is signed whenever the tree has grown, at most
 *    checkpointIntervalMs apart, only for durable sizes, and every one is kept under `c/<size>`. At start
 *    the last one is re-verified against the stored tree; a mismatch is ERR_LOG_CORRUPT. (checkpointer.ts)
 *  - Storage faults: after any failed store write the session (DB handle, appender, checkpointer) is
 *    thrown away; the log answers ERR_LOG_UNAVAILABLE while it reopens the store and proves that it holds
 *    the acknowledged tree, else it stops for good (ERR_LOG_ROLLBACK). A high-water mark — outside LevelDB
 *    (DIR/high-water.json), or a fenced row of the log's PostgreSQL schema — records the largest tree
 *    ever signed, written before the checkpoint is stored;
 *    a log smaller than it, or disagreeing with it, neither starts nor signs. (audit-log.ts, store-run.ts,
 *    high-water.ts, log-health.ts)
 *  - Decisions are searchable (GET /v1/decisions): search keys `s/…` ordered by decision time, then
 *    index — all, per model, per verdict, per flag — are lookup keys too, so they are written in the same
 *    batch as the leaf, rebuilt at start when missing or behind, and checked by fsck. A search walks one
 *    range backwards, bounded by its limit and a scan budget, with a cursor to continue.
 *    (decision-keys.ts, decision-search.ts, lookup.ts)
 *  - fsck recomputes everything from the stored leaves and compares stored hashes and every kept
 *    checkpoint's root. (fsck.ts, fsck-directory.ts)
 * AuditLog (audit-log.ts) wires these together as a service with start()/stop().
 */
export type { Appended, AppendItem } from './appender.ts';
export { MAX_STORED_RECORD_BYTES } from './appender.ts';
export { AuditLog, type AuditLogOptions, type LogRole } from './audit-log.ts';
export type { SignedCheckpoint } from './checkpointer.ts';
export { type CopyResult, copyLogStore } from './copy-store.ts';
export { LOG_DB_OPTIONS } from './db.ts';
export { timeKey } from './decision-keys.ts';
export {
  type DecisionQuery,
  type FoundDecision,
  MAX_SEARCH_LIMIT,
  SCAN_BUDGET,
  type SearchPosition,
  type SearchResult,
} from './decision-search.ts';
export type { FsckReport } from './fsck.ts';
export { fsckDirectory } from './fsck-directory.ts';
export {
  type FsckFinding,
  type FsckProblemCode,
  FsckProblemCodes,
  MAX_PROBLEMS,
  withProblem,
} from './fsck-problems.ts';
export { fsckStore } from './fsck-store.ts';
export { fastLeafHash } from './hasher.ts';
export { HighWaterMark, type MarkStore, type TreeState } from './high-water.ts';
export type { LogHealth, LogMetrics, LogProblem } from './log-health.ts';
export { type DecisionIndexFacts, decisionKeyParts, type KeyParts } from './lookup.ts';
export { type OpenStoreOptions, openLogStore } from './open-store.ts';
export { GOVERNANCE_CHECKPOINT_INTERVALS } from './paced.ts';
export { RetiredLog } from './retired-log.ts';
export {
  checkStoreSpec,
  describeStore,
  type LogDb,
  type LogStoreSpec,
  type PostgresStoreSpec,
  SCHEMA_RE,
} from './store.ts';
