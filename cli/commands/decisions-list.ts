/**
 * `govfed decisions list [--denied] [--since 7d] [--until T] [--model M] [--flag F] [--limit N]
 * [--cursor C] [--json]` — this node's decisions, newest first, from its search index
 * (GET /v1/decisions, auditor token). Pages of up to 1000 are fetched until N decisions (default 50) or
 * the end; `--json` prints the API's document — `items` and, when there are more, `next` — and
 * `--cursor` continues from a previous `next`. `--origin O` searches a log the node retired (`keys rotate
 * --log`) instead of its current one; the node names its other logs (`otherLogs`), printed as a hint.
 */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, parseIndex, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { SEARCH_OPTIONS, searchQuery } from '../decisions-query.ts';
import { CliError, ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson, formatTable, safeText } from '../output.ts';

export const MAX_LIST = 100_000;
const PAGE = 1000;
const CURSOR_RE = /^[A-Za-z0-9_-]{1,128}$/;

/** One row of GET /v1/decisions (items[]), as the CLI reads it. */
export interface DecisionItem {
  index: number;
  decisionId: string;
  model: string;
  time: string;
  verdict: string;
  flags: string[];
  leafHash: string;
}

function isItem(v: unknown): v is DecisionItem {
  const i = v as DecisionItem;
  return (
    typeof v === 'object' &&
    v !== null &&
    Number.isSafeInteger(i.index) &&
    typeof i.decisionId === 'string' &&
    typeof i.model === 'string' &&
    typeof i.time === 'string' &&
    typeof i.verdict === 'string' &&
    typeof i.leafHash === 'string' &&
    Array.isArray(i.flags) &&
    i.flags.every((f) => typeof f === 'string')
  );
}

export const decisionsListCommand: CommandSpec = {
  name: 'decisions list',
  summary: "List the node's decisions, newest first (search by time, model, verdict, flag).",
  usage:
    'decisions list [--since T] [--until T] [--model M] [--denied | --allowed] [--flag RULE] [--limit N] [--cursor C] [--origin O] [--home DIR] [--api HOST:PORT] [--token TOKEN] [--json]',
  description: `
Searches this node's decisions (GET /v1/decisions, an auditor or admin token) from the search index kept
beside its log, newest decision time first: INDEX, TIME, MODEL, VERDICT, FLAGS (the deny rules that
fired) and DECISION ID. --since is inclusive, --until exclusive; both take RFC 3339 or a duration before
now (30s, 15m, 12h, 7d). --limit N (1..${MAX_LIST}, default 50) is how many to print; when more match, the
last line says how to continue (--cursor C, the 'next' of --json). The full record of one decision:
GET /v1/decisions/{index}; a provable copy of many: 'govfed decisions export'. A node that rotated its
log key (keys rotate --log) keeps the decisions from before in the retired log: --origin O searches that
log (its indices are its own); the node's other logs are named at the end.`,
  options: {
    ...SEARCH_OPTIONS,
    limit: { type: 'string', value: 'N', description: `print at most N decisions, 1..${MAX_LIST} (default 50)` },
    cursor: { type: 'string', value: 'C', description: "continue after a previous page (its 'next')" },
    origin: { type: 'string', value: 'O', description: "search the node's log O (one it retired) instead" },
    ...CLIENT_OPTIONS,
    ...JSON_OPTION,
  },
  examples: [
    'govfed decisions list --home ./node --denied --since 7d',
    'govfed decisions list --home ./node --model credit-scorer-v2 --limit 200 --json',
  ],
  async run(args, io) {
    const query = searchQuery('decisions list', args);
    const limitArg = stringOption(args, 'limit');
    const limit = limitArg === undefined ? 50 : parseIndex('decisions list', 'limit', limitArg);
    if (limit < 1 || limit > MAX_LIST) {
      throw new UsageError(`decisions list: --limit must be 1..${MAX_LIST}, got '${limitArg}'`);
    }
    let cursor = stringOption(args, 'cursor');
    if (cursor !== undefined && !CURSOR_RE.test(cursor)) {
      throw new UsageError("decisions list: --cursor must be a page's 'next' (letters, digits, - and _)");
    }
    const client = new ApiClient(await resolveTarget(args, io, 'decisions list'));
    const origin = stringOption(args, 'origin');
    const items: DecisionItem[] = [];
    let next: string | undefined;
    let otherLogs: string[] = [];
    do {
      const q = new URLSearchParams(query);
      if (origin !== undefined) q.set('origin', origin);
      q.set('limit', String(Math.min(PAGE, limit - items.length)));
      if (cursor !== undefined) q.set('cursor', cursor);
      const page = await client.decisions('', q);
      const got = page.items as unknown[];
      if (!got.every(isItem)) {
        throw new CliError(ExitCode.ERROR, '/v1/decisions: unexpected item shape', { code: 'ERR_BAD_RESPONSE' });
      }
      items.push(...got);
      next = page.next as string | undefined;
      otherLogs = Array.isArray(page.otherLogs) ? page.otherLogs.filter((o): o is string => typeof o === 'string') : [];
      cursor = next;
    } while (next !== undefined && items.length < limit);
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson(next === undefined ? { items } : { items, next }));
      return ExitCode.OK;
    }
    if (items.length === 0) io.stdout('no decisions match\n');
    else {
      io.stdout(
        formatTable(
          ['INDEX', 'TIME', 'MODEL', 'VERDICT', 'FLAGS', 'DECISION ID'],
          items.map((i) => [i.index, i.time, i.model, i.verdict, i.flags.join(',') || '-', i.decisionId]),
        ),
      );
    }
    if (next !== undefined) io.stdout(`more match: continue with --cursor ${next}\n`);
    for (const o of otherLogs) io.stdout(`not searched: this node's log ${safeText(o)} (--origin ${safeText(o)})\n`);
    return ExitCode.OK;
  },
};
