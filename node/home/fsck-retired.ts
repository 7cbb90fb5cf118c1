/**
 * fsck of the retired logs a home holds (`govfed audit fsck`, POST /v1/admin/fsck): every log
 * config.json lists in `retiredLogs`, kept under DIR/retired/<key id>/ since `govfed keys rotate --log`
 * (log-rotation.ts). Its entries were acknowledged and stay provable, so it is checked like the current
 * log (node/log fsck.ts): the tree recomputed from its leaves, every stored hash, every kept checkpoint's
 * root, the last checkpoint verified with the retired log's OWN key and origin, and its own high-water
 * mark (DIR/retired/<key id>/high-water.json). One more check is a retired log's alone: its last
 * checkpoint, signed when it was retired, must cover every stored entry (none may be added after).
 *
 * A log that cannot be checked at all — its directory gone (ERR_NOT_FOUND), its store unreadable
 * (ERR_LOG_CORRUPT), its high-water mark broken (ERR_INVALID_CONFIG) — is reported, with that code, as
 * a failed check of that log (its finding: FSCK_LOG_UNCHECKABLE; `error` carries the error's code); the
 * other logs are still checked. Each report names its log by `origin`.
 *
 *   fsckRetiredStopped(home): no daemon runs — each LevelDB checked on a scratch copy (fsck-directory.ts).
 *   fsckRetiredOpen(home, logs): the daemon, which holds the retired logs open (RetiredLogs).
 */
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import type { FsckReport } from '../log/fsck.ts';
import { fsckDirectory } from '../log/fsck-directory.ts';
import { withProblem } from '../log/fsck-problems.ts';
import { HighWaterMark } from '../log/high-water.ts';
import type { RetiredLog } from '../log/retired-log.ts';
import { type NodeConfig, type RetiredLogConfig, retiredLogPaths } from './config.ts';

/** The fsck of one retired log. */
export interface RetiredFsckReport extends FsckReport {
  /** The retired log's origin (its key's name). */
  origin: string;
  /** Why the log could not be checked at all (ok is then false). */
  error?: { code: string; message: string };
}

type Home = { dir: string; config: Pick<NodeConfig, 'retiredLogs'> };

/** Every retired log of a home whose daemon is not running. */
export function fsckRetiredStopped(home: Home, opts: { verify?: Ed25519Verify } = {}): Promise<RetiredFsckReport[]> {
  return each(home, (r) => {
    const paths = retiredLogPaths(home.dir, r.origin);
    return fsckDirectory(paths.data, r.origin, r.verifierKey, { highWaterFile: paths.highWater, ...opts });
  });
}

/**
 * Every retired log of a running daemon, read through the logs it holds open (every process of a shared
 * log holds its home's copies); one it does not hold is checked on disk like a stopped node's.
 */
export function fsckRetiredOpen(
  home: Home,
  logs: ReadonlyMap<string, RetiredLog>,
  opts: { verify?: Ed25519Verify } = {},
): Promise<RetiredFsckReport[]> {
  return each(home, async (r) => {
    const log = logs.get(r.origin);
    const paths = retiredLogPaths(home.dir, r.origin);
    if (log === undefined) {
      return fsckDirectory(paths.data, r.origin, r.verifierKey, { highWaterFile: paths.highWater, ...opts });
    }
    return log.fsck(await new HighWaterMark(paths.highWater, r.origin).load());
  });
}

async function each(home: Home, check: (r: RetiredLogConfig) => Promise<FsckReport>): Promise<RetiredFsckReport[]> {
  const out: RetiredFsckReport[] = [];
  for (const r of home.config.retiredLogs ?? []) out.push(await one(r.origin, () => check(r)));
  return out;
}

/** One log's report, with the retired-only check; a typed failure to check it becomes its report. */
async function one(origin: string, check: () => Promise<FsckReport>): Promise<RetiredFsckReport> {
  try {
    const report = await check();
    if (report.checkpointSize < 0 || report.size <= report.checkpointSize) return { origin, ...report };
    return withProblem(
      { origin, ...report },
      'FSCK_RETIRED_UNSIGNED_ENTRIES',
      `${report.size - report.checkpointSize} entries after the final checkpoint (size ${report.checkpointSize}) ` +
        'were never signed: a retired log takes no entries',
    );
  } catch (err) {
    if (!isGovfedError(err)) throw err;
    return {
      origin,
      ok: false,
      size: 0,
      checkpointSize: -1,
      rootMatches: false,
      storedHashesMatch: false,
      checkpointsChecked: 0,
      problems: [err.message],
      findings: [{ code: 'FSCK_LOG_UNCHECKABLE', message: err.message }],
      error: { code: err.code, message: err.message },
    };
  }
}

/** The fsck of a whole home: its current log's report, and `retired`; `ok` only when every log is intact. */
export interface HomeFsckReport extends FsckReport {
  retired: RetiredFsckReport[];
}

export function homeFsckReport(current: FsckReport, retired: RetiredFsckReport[]): HomeFsckReport {
  return { ...current, ok: current.ok && retired.every((r) => r.ok), retired };
}
