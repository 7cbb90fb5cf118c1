/**
 * What an AuditLog (audit-log.ts) is made with: where it is stored, its signer, its timing and bounds,
 * the hooks its owner hears faults and a shared log's role changes through.
 */
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import type { NoteSigner, NoteVerifier } from '../../protocol/note/index.ts';
import type { EventSink } from '../events.ts';
import type { LogDb, LogStoreSpec } from './store.ts';

export interface AuditLogOptions {
  /** LevelDB directory: short for `store: {driver: 'leveldb', dir}`. */
  dir?: string;
  /** Where the log is stored (store.ts): a LevelDB directory or a PostgreSQL schema. One of dir, store. */
  store?: LogStoreSpec;
  /** The log's note signer; its key name must equal `origin`. */
  signer: NoteSigner;
  origin: string;
  /**
   * Verifier of the log key, used to re-check stored checkpoints at start. Defaults to the Ed25519
   * verifier of `signer.publicKey` when the signer has one (ed25519Signer / parseSignerKey do), checking
   * with `verify`.
   */
  verifier?: NoteVerifier;
  /** The Ed25519 verifier of the default `verifier` (default: node/crypto's opensslVerify). */
  verify?: Ed25519Verify;
  /**
   * The high-water mark file (high-water.ts), outside the LevelDB directory: the daemon passes
   * DIR/high-water.json. Without it a LevelDB log has no guard against restarting smaller than it signed.
   * A log in PostgreSQL always keeps its mark in its database (postgres/high-water.ts) and never reads
   * or writes this file.
   */
  highWaterFile?: string;
  checkpointIntervalMs?: number;
  /**
   * The least time between two checkpoints while the log grew only by governance entries (paced.ts);
   * other growth is checkpointed at the next interval. Undefined (the default): nothing is paced. The
   * daemon sets GOVERNANCE_CHECKPOINT_GAP_MS for an unshared log.
   */
  governanceCheckpointGapMs?: number;
  maxPendingEntries?: number;
  maxBatchEntries?: number;
  now?: () => Date;
  /** Called after each durable batch with its entry count and the batch's build+write time. */
  onCommit?: (n: number, ms: number) => void;
  /** First delay between reopen attempts after a failed write (doubles up to 10 s). Default 500 ms. */
  reopenDelayMs?: number;
  /**
   * Called once when a reopened store does not hold what was acknowledged (ERR_LOG_ROLLBACK) or cannot
   * be trusted (ERR_LOG_CORRUPT): the log stays unavailable for good and the process should exit non-zero.
   */
  onFatal?: (err: unknown) => void;
  /** Wraps each opened DB (fault-injection tests only: a disk that fails or loses writes). */
  wrapDb?: (db: LogDb) => LogDb;
  /** Storage events for the operator's log: `log:fault`, `log:reopen-failed`, `log:recovered`, `log:fatal`. */
  onEvent?: EventSink;
  /**
   * PostgreSQL: start() waits until this process gets the writer lease instead of failing with
   * ERR_ALREADY_RUNNING (a standby of an org's node; postgres/lease.ts). stop() ends the wait.
   */
  standby?: boolean;
  /** This process's name in a PostgreSQL lease (default: a new one per AuditLog). */
  holder?: string;
  /** A shared log's follower took the free lease: restart as the leader (this log takes appends meanwhile). */
  onLeaseAvailable?: () => void;
  /** Asked by a shared log's follower before it takes a free lease; false: it does not (node/ha keys-guard.ts). */
  mayTakeLease?: () => Promise<boolean>;
  /** A shared log's leader found its lease taken by another process: it writes nothing more. */
  onLeaseLost?: (err: unknown) => void;
  /** A shared log: how often a follower reads the integrated size (default 100 ms). */
  followPollMs?: number;
}
