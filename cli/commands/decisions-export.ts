/**
 * `govfed decisions export --since T [--until T] [--model M] [--denied | --allowed] [--flag RULE]
 * [--origin O] --out FILE` — writes the matching decisions, each with its full record, its leaf and its inclusion
 * proof against ONE signed checkpoint, as a govfed-decision-export/v1 file (protocol/audit/export.ts)
 * that `govfed verify FILE --key VKEY` checks offline.
 *
 * Steps: the node's identity (its verifier key, checked against the home's pinned key) → one signed
 * checkpoint (a fresh one when the token may ask for it, else the latest) → pages of
 * GET /v1/decisions/proofs at that checkpoint's size, written a line at a time to a temporary file →
 * the header (with the count) and the records into FILE's temporary twin → that file verified here with
 * protocol/ (a node that serves a bad proof or record is caught now, exit 1) → renamed to FILE. At most
 * MAX_EXPORT_RECORDS decisions: more is ERR_EXPORT_TOO_LARGE (exit 2), narrow the time range.
 *
 * --origin O exports from a log the node retired (`keys rotate --log`): its verifier key (pinned by the
 * home's config.json retiredLogs when there is one, else as GET /v1/node reports it), its final
 * checkpoint (GET /v1/log/checkpoint?origin=O) and pages of GET /v1/decisions/proofs?origin=O. The node's
 * logs the export did not read (the proofs answer's `otherLogs`) are named in the summary.
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { NodeConfig, RetiredLogConfig } from '../../node/home/config.ts';
import {
  EXPORT_FORMAT,
  exportHeaderLine,
  MAX_EXPORT_RECORDS,
  type VerifiedExport,
} from '../../protocol/audit/index.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, requireOption, stringOption } from '../args.ts';
import { chooseVerifierKey, latestCheckpoint, openNoteUnder, type VerifiedCheckpoint } from '../checkpoint.ts';
import { ApiClient, ApiError } from '../client.ts';
import { queryRecord, SEARCH_OPTIONS, searchQuery } from '../decisions-query.ts';
import { CheckFailedError, CliError, ExitCode } from '../exit.ts';
import { verifyExportStream } from '../export-file.ts';
import { homeConfig, optionalHome, resolveTarget } from '../home.ts';
import { formatJson, formatKeyValues, safeText } from '../output.ts';

const PAGE = 1000;

export const decisionsExportCommand: CommandSpec = {
  name: 'decisions export',
  summary: 'Write matching decisions with inclusion proofs against one checkpoint, for govfed verify.',
  usage:
    'decisions export --since T [--until T] [--model M] [--denied | --allowed] [--flag RULE] [--origin O] --out FILE [--home DIR] [--api HOST:PORT] [--token TOKEN] [--json]',
  description: `
Writes FILE (format ${EXPORT_FORMAT}, JSON Lines): a header with one signed checkpoint and the log's
verifier key, then one line per matching decision with its full record, its leaf and its Merkle
inclusion proof in that checkpoint's tree. Anyone checks it offline with 'govfed verify FILE --key VKEY':
every record must be the one its leaf commits to, and every leaf must be in the signed tree. The search
is that of 'govfed decisions list' (an auditor or admin token); decisions recorded after the checkpoint
are not in the file. At most ${MAX_EXPORT_RECORDS.toLocaleString('en-US')} decisions per file: when more match, nothing is written
(ERR_EXPORT_TOO_LARGE, exit 2) — narrow --since/--until. The export proves that what it holds is in the
log, not that nothing else matched. A node that rotated its log key (keys rotate --log) keeps the
decisions from before in the retired log: --origin O exports from that log, proved against its final
checkpoint and verified with its own key; the node's other logs are named in the summary.`,
  options: {
    ...SEARCH_OPTIONS,
    origin: { type: 'string', value: 'O', description: "export from the node's log O (one it retired) instead" },
    out: { type: 'string', value: 'FILE', description: 'the file to write (required)' },
    ...CLIENT_OPTIONS,
    ...JSON_OPTION,
  },
  examples: [
    'govfed decisions export --home ./node --since 7d --denied --out denied-week.jsonl',
    'govfed verify denied-week.jsonl --key "govfed/acme/1a2b3c4d+5e6f7a8b+AQ..."',
  ],
  async run(args, io) {
    requireOption(args, 'decisions export', 'since');
    const out = requireOption(args, 'decisions export', 'out');
    const query = searchQuery('decisions export', args);
    const client = new ApiClient(await resolveTarget(args, io, 'decisions export'));
    const origin = stringOption(args, 'origin');
    const { key, cp } = await logToExport(client, await homeConfig(optionalHome(args, io)), origin);
    const recordsTmp = `${out}.records.tmp`;
    const fileTmp = `${out}.tmp`;
    let verified: VerifiedExport;
    let otherLogs: string[];
    try {
      if (origin !== undefined) query.set('origin', origin);
      const written = await writeRecords(client, query, cp.checkpoint.size, recordsTmp);
      const count = written.count;
      otherLogs = written.otherLogs;
      await writeFile(
        fileTmp,
        recordsTmp,
        exportHeaderLine({
          treeSize: cp.checkpoint.size,
          checkpoint: cp.note,
          verifierKey: key,
          count,
          query: queryRecord(query),
        }),
      );
      try {
        verified = await verifyExportStream(createReadStream(fileTmp), { verifierKey: key });
      } catch (err) {
        if (!isGovfedError(err)) throw err;
        throw new CheckFailedError(`the node's export does not verify: ${err.message}`, {
          code: err.code,
          cause: err,
        });
      }
      await rename(fileTmp, out);
    } finally {
      await rm(recordsTmp, { force: true });
      await rm(fileTmp, { force: true });
    }
    const summary = {
      out,
      count: verified.count,
      treeSize: verified.treeSize,
      origin: verified.origin,
      verifierKey: key,
      ...(otherLogs.length === 0 ? {} : { otherLogs }),
    };
    if (booleanOption(args, 'json')) io.stdout(formatJson(summary));
    else {
      io.stdout(
        formatKeyValues([
          ['wrote', `${verified.count} decision${verified.count === 1 ? '' : 's'} to ${out}`],
          ['proved against', `checkpoint of size ${verified.treeSize} (${verified.origin})`],
          ['verify with', `govfed verify ${out} --key ${key}`],
        ]),
      );
      for (const o of otherLogs) io.stdout(`not searched: this node's log ${safeText(o)} (--origin ${safeText(o)})\n`);
    }
    return ExitCode.OK;
  },
};

/**
 * The verifier key and the checkpoint to export against: of the node's current log (a checkpoint signed
 * now when the token may, else the latest), or of the retired log `origin` names (its final checkpoint).
 * The key is the home's when it has one (pinned), and the node must report the same.
 */
async function logToExport(
  client: ApiClient,
  config: NodeConfig | undefined,
  origin: string | undefined,
): Promise<{ key: string; cp: VerifiedCheckpoint }> {
  const info = await client.node();
  if (origin === undefined || origin === info.origin) {
    const key = chooseVerifierKey(config?.verifierKey, info.verifierKey);
    return { key, cp: await freshCheckpoint(client, key) };
  }
  const note = await client.checkpoint(origin); // ERR_UNKNOWN_ORIGIN from the node when it has no such log
  const reported = Array.isArray(info.retiredLogs)
    ? (info.retiredLogs as unknown[]).find((r): r is RetiredLogConfig => (r as RetiredLogConfig)?.origin === origin)
    : undefined;
  const pinned = config?.retiredLogs?.find((r) => r.origin === origin)?.verifierKey;
  if (typeof reported?.verifierKey !== 'string') {
    throw new CheckFailedError(`the node serves a log ${safeText(origin)} but does not report its verifier key`, {
      code: 'ERR_UNKNOWN_KEY',
    });
  }
  const key = chooseVerifierKey(pinned, reported.verifierKey);
  return { key, cp: openNoteUnder(note, key) };
}

/** A checkpoint signed now when the token may ask for one (admin), else the latest. */
async function freshCheckpoint(client: ApiClient, key: string): Promise<VerifiedCheckpoint> {
  try {
    return openNoteUnder(await client.signCheckpoint(), key);
  } catch (err) {
    if (!(err instanceof ApiError) || (err.status !== 401 && err.status !== 403)) throw err;
    return await latestCheckpoint(client, key);
  }
}

/** Writes a line, waiting when the stream asks to. */
async function writeLine(w: ReturnType<typeof createWriteStream>, line: string): Promise<void> {
  if (!w.write(`${line}\n`)) await once(w, 'drain');
}

async function closeStream(w: ReturnType<typeof createWriteStream>): Promise<void> {
  await new Promise<void>((resolve, reject) => w.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

function writeError(file: string, cause: unknown): CliError {
  return new CliError(ExitCode.ERROR, `cannot write ${file}: ${(cause as Error).message}`, {
    code: 'ERR_WRITE_FILE',
    cause,
  });
}

/**
 * Pages of GET /v1/decisions/proofs at `treeSize` into `file`, one line each; returns how many, and the
 * node's logs the search did not read (its `otherLogs`).
 */
async function writeRecords(
  client: ApiClient,
  query: URLSearchParams,
  treeSize: number,
  file: string,
): Promise<{ count: number; otherLogs: string[] }> {
  const w = createWriteStream(file, { mode: 0o600 });
  w.on('error', () => {}); // surfaced by closeStream / the next write
  let count = 0;
  let otherLogs: string[] = [];
  try {
    let cursor: string | undefined;
    while (treeSize > 0) {
      const q = new URLSearchParams(query);
      q.set('treeSize', String(treeSize));
      q.set('limit', String(Math.min(PAGE, MAX_EXPORT_RECORDS + 1 - count)));
      if (cursor !== undefined) q.set('cursor', cursor);
      const page = await client.decisions('/proofs', q);
      otherLogs = Array.isArray(page.otherLogs) ? page.otherLogs.filter((o): o is string => typeof o === 'string') : [];
      for (const item of page.items as unknown[]) {
        if (++count > MAX_EXPORT_RECORDS) {
          throw new CliError(
            ExitCode.USAGE,
            `more than ${MAX_EXPORT_RECORDS} decisions match; narrow the search with --since/--until`,
            { code: 'ERR_EXPORT_TOO_LARGE' },
          );
        }
        await writeLine(w, recordLine(item));
      }
      cursor = page.next as string | undefined;
      if (cursor === undefined) break;
    }
  } finally {
    await closeStream(w).catch((cause: unknown) => {
      throw writeError(file, cause);
    });
  }
  return { count, otherLogs };
}

/** One record line from an API item (untrusted: the shape is checked here, the content by the verifier). */
function recordLine(item: unknown): string {
  const i = item as { index?: unknown; entry?: unknown; record?: unknown; proof?: unknown };
  if (
    typeof item !== 'object' ||
    item === null ||
    !Number.isSafeInteger(i.index) ||
    typeof i.entry !== 'string' ||
    typeof i.record !== 'object' ||
    !Array.isArray(i.proof) ||
    !i.proof.every((h) => typeof h === 'string')
  ) {
    throw new CliError(ExitCode.ERROR, '/v1/decisions/proofs: unexpected item shape', { code: 'ERR_BAD_RESPONSE' });
  }
  // Exactly the format's fields, in its order (protocol/audit exportRecordLine takes bytes; these are base64).
  return JSON.stringify({ index: i.index, entry: i.entry, record: i.record, proof: i.proof });
}

/** FILE = the header line, then the record lines of `records`. */
async function writeFile(file: string, records: string, header: string): Promise<void> {
  const w = createWriteStream(file, { mode: 0o644 });
  w.on('error', () => {});
  try {
    await writeLine(w, header);
    for await (const chunk of createReadStream(records)) {
      if (!w.write(chunk)) await once(w, 'drain');
    }
  } finally {
    await closeStream(w).catch((cause: unknown) => {
      throw writeError(file, cause);
    });
  }
}
