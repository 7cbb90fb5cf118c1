/**
 * `govfed audit fsck --home DIR` — recomputes the Merkle tree from the stored leaves and compares it with
 * every stored hash and with the last signed checkpoint.
 *
 * While the daemon runs it holds the store, so the check is asked of it (POST /v1/admin/fsck); otherwise
 * node/log fsckStore checks the store without changing it — LevelDB on a scratch copy (opening a LevelDB
 * would replay and delete a damaged write-ahead log), PostgreSQL (config.store) read-only in one snapshot —
 * and compares it with the high-water mark (DIR/high-water.json; for a log in PostgreSQL, the database's
 * high_water row).
 * The retired logs (DIR/retired, after `govfed keys rotate --log`) are checked the same way, each with its
 * own key and high-water mark (node/home/fsck-retired.ts), and listed each under its origin.
 * Exit 0 when everything matches in every log, 1 on any mismatch.
 */
import { homePaths, readConfig } from '../../node/home/config.ts';
import type { RetiredFsckReport } from '../../node/home/fsck-retired.ts';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, type ParsedArgs } from '../args.ts';
import { ApiClient, type FsckReport, type HomeFsckReport } from '../client.ts';
import { ExitCode, UnreachableError } from '../exit.ts';
import { resolveHome, resolveTarget, runningDaemon } from '../home.ts';
import { formatJson, formatKeyValues, type Io, safeText } from '../output.ts';

export const auditFsckCommand: CommandSpec = {
  name: 'audit fsck',
  summary: 'Recompute the tree from the stored leaves; compare with stored hashes and checkpoints.',
  usage: 'audit fsck --home DIR [--api HOST:PORT] [--token TOKEN] [--json]',
  description: `
Uses the running daemon (POST /v1/admin/fsck, admin token) when there is one; otherwise checks a scratch
copy of DIR/data made beside it (the store itself is never opened, so never changed) — or, for a node
whose log is in PostgreSQL (config.json store), reads the database read-only — and also compares the log
with the largest tree this node signed (DIR/high-water.json, or the database's high_water row). Exit 0 when the tree, every stored
hash and the last checkpoint's root agree; exit 1 with the problems listed when they do not, each with its
code (docs/errors.md, "fsck problem codes"; with --json in 'findings', beside the texts of 'problems'). The logs the
node retired (DIR/retired, after keys rotate --log) are checked the same way, each against its own key,
last checkpoint and high-water mark, and listed under their origin; any of them damaged or missing is
exit 1 too.`,
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  async run(args, io) {
    const home = resolveHome(args, io, 'audit fsck');
    const fromDaemon = runningDaemon(home) === undefined ? undefined : await fsckViaDaemon(args, io);
    const via = fromDaemon === undefined ? 'store' : 'daemon';
    const report: HomeFsckReport = fromDaemon ?? (await fsckStore(home));
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson({ ...report, via }));
    } else {
      io.stdout(
        `${report.ok ? 'OK' : 'FAILED'}: fsck of ${home} (${via === 'daemon' ? 'via the daemon' : 'store'})\n\n`,
      );
      printLog(report, io);
      for (const r of report.retired) printRetired(r, io);
    }
    return report.ok ? ExitCode.OK : ExitCode.CHECK_FAILED;
  },
};

/** The daemon's report; undefined when it cannot be reached (a stale pid file whose pid was reused). */
async function fsckViaDaemon(args: ParsedArgs, io: Io): Promise<HomeFsckReport | undefined> {
  try {
    return await new ApiClient(await resolveTarget(args, io, 'audit fsck')).fsck();
  } catch (err) {
    if (err instanceof UnreachableError) return undefined;
    throw err;
  }
}

/** Checks the home's store directly (the daemon is not running). */
async function fsckStore(home: string): Promise<HomeFsckReport> {
  const config = await readConfig(home);
  const { fsckStore } = await import('../../node/log/index.ts');
  const { homeStore } = await import('../../node/home/load.ts');
  const { fsckRetiredStopped, homeFsckReport } = await import('../../node/home/fsck-retired.ts');
  const paths = homePaths(home);
  const store = await homeStore(paths, config);
  const current = await fsckStore(store, config.origin, config.verifierKey, { highWaterFile: paths.highWater });
  return homeFsckReport(current, await fsckRetiredStopped({ dir: home, config }));
}

function printLog(report: FsckReport, io: Io): void {
  io.stdout(
    formatKeyValues([
      ['log size', report.size],
      ['checkpoint size', report.checkpointSize < 0 ? 'none' : report.checkpointSize],
      ['checkpoints checked', report.checkpointsChecked],
      ['checkpoint root matches', yesNo(report.rootMatches)],
      ['stored hashes match', yesNo(report.storedHashesMatch)],
    ]),
  );
  // Each problem with its code (node/log/fsck-problems.ts); a daemon older than the codes sends only the text.
  const findings = Array.isArray(report.findings) ? report.findings : report.problems.map((message) => ({ message }));
  for (const f of findings as { code?: unknown; message: unknown }[]) {
    io.stdout(`problem: ${f.code === undefined ? '' : `${safeText(f.code)}: `}${safeText(f.message)}\n`);
  }
}

function printRetired(r: RetiredFsckReport, io: Io): void {
  io.stdout(`\n${r.ok ? 'OK' : 'FAILED'}: retired log ${safeText(r.origin)}\n`);
  if (r.error !== undefined) {
    io.stdout(`problem: ${safeText(r.error.code)}: ${safeText(r.error.message)}\n`);
    return;
  }
  printLog(r, io);
}

function yesNo(v: boolean): string {
  return v ? 'yes' : 'NO';
}
