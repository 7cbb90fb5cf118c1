/**
 * The search flags of `govfed decisions list` and `decisions export`, checked here (a mistake is a usage
 * error, exit 2, before any request) and turned into the query string of GET /v1/decisions:
 * --model M, --since T, --until T (RFC 3339 or a duration before now: 30s, 15m, 12h, 7d), --denied or
 * --allowed, --flag RULE.
 */
import { LEAF_RULE_ID_PATTERN, MAX_MODEL_CHARS } from '../protocol/audit/leaf.ts';
import { parseTimeBound } from '../protocol/audit/time-bound.ts';
import { booleanOption, type OptionSpecs, type ParsedArgs, stringOption } from './args.ts';
import { UsageError } from './exit.ts';

export const SEARCH_OPTIONS: OptionSpecs = {
  since: {
    type: 'string',
    value: 'T',
    description: 'decisions at or after T: RFC 3339 (2026-01-31T00:00:00Z) or a duration before now (12h, 7d)',
  },
  until: { type: 'string', value: 'T', description: 'decisions before T (same forms as --since)' },
  model: { type: 'string', value: 'M', description: "only model M's decisions" },
  denied: { type: 'boolean', description: 'only decisions the policy denied' },
  allowed: { type: 'boolean', description: 'only decisions the policy allowed' },
  flag: {
    type: 'string',
    value: 'RULE',
    description: 'only decisions deny rule RULE flagged (e.g. pii-export, local:x)',
  },
};

const FLAG_RE = new RegExp(LEAF_RULE_ID_PATTERN);

/** Milliseconds since the epoch of a --since/--until value; a usage error when it is neither form. */
function timeArg(command: string, flag: string, value: string, now: number): number {
  const ms = parseTimeBound(value, now);
  if (ms === undefined) {
    throw new UsageError(
      `${command}: --${flag} must be an RFC 3339 time (2026-01-31T00:00:00Z) or a duration before now (30s, 15m, 12h, 7d), got '${value}'`,
    );
  }
  return ms;
}

/** The query string of the search flags in `args`. */
export function searchQuery(command: string, args: ParsedArgs, now = Date.now()): URLSearchParams {
  const q = new URLSearchParams();
  const since = stringOption(args, 'since');
  const until = stringOption(args, 'until');
  const s = since === undefined ? undefined : timeArg(command, 'since', since, now);
  const u = until === undefined ? undefined : timeArg(command, 'until', until, now);
  if (s !== undefined && u !== undefined && s >= u) {
    throw new UsageError(`${command}: --since (${since}) must be before --until (${until})`);
  }
  if (since !== undefined) q.set('since', since);
  if (until !== undefined) q.set('until', until);
  const model = stringOption(args, 'model');
  if (model !== undefined) {
    if (model.length > MAX_MODEL_CHARS)
      throw new UsageError(`${command}: --model must be 1 to ${MAX_MODEL_CHARS} characters`);
    q.set('model', model);
  }
  if (booleanOption(args, 'denied') && booleanOption(args, 'allowed')) {
    throw new UsageError(`${command}: give --denied or --allowed, not both`);
  }
  if (booleanOption(args, 'denied')) q.set('verdict', 'denied');
  if (booleanOption(args, 'allowed')) q.set('verdict', 'allowed');
  const flag = stringOption(args, 'flag');
  if (flag !== undefined) {
    if (!FLAG_RE.test(flag)) {
      throw new UsageError(
        `${command}: --flag must be a deny rule id like pii-export or local:night-shift, got '${flag}'`,
      );
    }
    q.set('flag', flag);
  }
  return q;
}

/** The search as the export's header records it. */
export function queryRecord(q: URLSearchParams): Record<string, string> {
  return Object.fromEntries(q.entries());
}
