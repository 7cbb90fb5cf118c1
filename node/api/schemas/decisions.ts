/**
 * The decision search (GET /v1/decisions, GET /v1/decisions/proofs): its query string schema, the items
 * it answers, and the conversion of the query (attacker-controlled) into a node/log DecisionQuery.
 *
 *   since / until   RFC 3339 (`2026-01-31T12:00:00Z`, an offset like `+02:00`, a fraction) or a duration
 *                   before now (`30s`, `15m`, `12h`, `7d`); since inclusive, until exclusive; since must
 *                   be before until (ERR_VALIDATION)
 *   verdict         allowed | denied
 *   flag            a deny rule id as leaves carry it (LEAF_RULE_ID_PATTERN, e.g. `pii-export`, `local:x`)
 *   model           the model name, 1..256 chars
 *   limit           1..1000, default 50
 *   cursor          the `next` of the previous page (opaque; ERR_INVALID_CURSOR when it is not one)
 */
import { LEAF_RULE_ID_PATTERN, MAX_MODEL_CHARS } from '../../../protocol/audit/leaf.ts';
import { parseTimeBound, TIME_BOUND_PATTERN } from '../../../protocol/audit/time-bound.ts';
import { NodeError } from '../../errors.ts';
import { type DecisionQuery, MAX_SEARCH_LIMIT, type SearchPosition, timeKey } from '../../log/index.ts';
import { base64 } from './shared.ts';

export const DEFAULT_SEARCH_LIMIT = 50;

const CURSOR_PATTERN = '^[A-Za-z0-9_-]{1,128}$';

/** What `since` and `until` take, in words (errors say this, not the pattern's regular expression). */
export const TIME_BOUND_EXPECTED = 'an RFC 3339 time (years 0000..9999) or a duration before now (30s, 15m, 12h, 7d)';

const timeBound = (what: string) =>
  ({
    type: 'string',
    pattern: TIME_BOUND_PATTERN,
    description: `${what}: RFC 3339, or a duration before now (30s, 15m, 12h, 7d)`,
  }) as const;

/** The query string both search routes take. */
export const searchQueryProperties = {
  model: { type: 'string', minLength: 1, maxLength: MAX_MODEL_CHARS, description: 'only this model’s decisions' },
  since: timeBound('decisions at or after this time'),
  until: timeBound('decisions before this time'),
  verdict: { type: 'string', enum: ['allowed', 'denied'], description: 'only decisions the policy allowed / denied' },
  flag: { type: 'string', pattern: LEAF_RULE_ID_PATTERN, description: 'only decisions this deny rule flagged' },
  limit: {
    type: 'string',
    pattern: '^[1-9][0-9]{0,3}$',
    description: `page size, 1..${MAX_SEARCH_LIMIT} (default ${DEFAULT_SEARCH_LIMIT})`,
  },
  cursor: { type: 'string', pattern: CURSOR_PATTERN, description: 'the `next` of the previous page' },
} as const;

export interface SearchQueryString {
  model?: string;
  since?: string;
  until?: string;
  verdict?: 'allowed' | 'denied';
  flag?: string;
  limit?: string;
  cursor?: string;
}

/** One found decision, as GET /v1/decisions lists it. */
export const decisionSummarySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['index', 'leafHash', 'decisionId', 'model', 'time', 'verdict', 'flags', 'leaf'],
  properties: {
    index: { type: 'integer', minimum: 0, description: 'the entry’s index in this node’s log' },
    leafHash: { ...base64, description: 'SHA-256(0x00 || entry)' },
    decisionId: { type: 'string' },
    model: { type: 'string' },
    time: { type: 'string', description: 'the decision’s time (RFC 3339 UTC), as its leaf records it' },
    verdict: { type: 'string', enum: ['allowed', 'denied', 'none'], description: 'none: recorded without a policy' },
    flags: { type: 'array', items: { type: 'string' }, description: 'the deny rules that fired' },
    leaf: { $ref: 'govfed.decisionLeaf#' },
  },
} as const;

export const nextCursorSchema = {
  type: 'string',
  description: 'present when there may be more: pass it as `cursor` for the next page',
} as const;

/** `otherLogs` of a list answer that read one of this node's logs (node/api/log-of.ts otherLogs). */
export const otherLogsSchema = {
  type: 'array',
  items: { type: 'string' },
  description: 'origins of this node’s other logs (retired or current), not searched: ask with origin=',
} as const;

const CURSOR_RE = /^d1\.([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3})\.([0-9a-f]{16})$/;

/** The opaque cursor of a position: base64url of `d1.<time key>.<16 hex index>`. */
export function encodeCursor(p: SearchPosition): string {
  return Buffer.from(`d1.${p.time}.${p.index.toString(16).padStart(16, '0')}`, 'utf8').toString('base64url');
}

/** The position of a cursor (attacker-controlled); ERR_INVALID_CURSOR for anything encodeCursor did not write. */
export function decodeCursor(cursor: string): SearchPosition {
  const text = Buffer.from(cursor, 'base64url').toString('latin1');
  const m = CURSOR_RE.exec(text);
  const index = m === null ? Number.NaN : Number.parseInt(m[2] as string, 16);
  if (m === null || !Number.isSafeInteger(index) || encodeCursor({ time: m[1] as string, index }) !== cursor) {
    throw new NodeError('ERR_INVALID_CURSOR', 'cursor is not one this node gave out (pass the `next` of a page as is)');
  }
  return { time: m[1] as string, index };
}

/** The time key (node/log timeKey) of a since/until value (protocol/audit time-bound.ts). */
export function timeBoundKey(value: string, now: Date, what: string): string {
  const ms = parseTimeBound(value, now.getTime());
  if (ms === undefined) {
    throw new NodeError('ERR_VALIDATION', `querystring/${what} must be ${TIME_BOUND_EXPECTED}`);
  }
  return timeKey(new Date(ms).toISOString());
}

/** The log query of a search request (schema-checked already). */
export function toDecisionQuery(q: SearchQueryString, now: Date): DecisionQuery {
  const query: DecisionQuery = { limit: q.limit === undefined ? DEFAULT_SEARCH_LIMIT : Number(q.limit) };
  if (query.limit < 1 || query.limit > MAX_SEARCH_LIMIT) {
    throw new NodeError('ERR_VALIDATION', `querystring/limit must be 1..${MAX_SEARCH_LIMIT}`);
  }
  if (q.since !== undefined) query.since = timeBoundKey(q.since, now, 'since');
  if (q.until !== undefined) query.until = timeBoundKey(q.until, now, 'until');
  if (query.since !== undefined && query.until !== undefined && query.since >= query.until) {
    throw new NodeError('ERR_VALIDATION', `querystring/since (${q.since}) must be before until (${q.until})`);
  }
  if (q.model !== undefined) query.model = q.model;
  if (q.verdict !== undefined) query.verdict = q.verdict;
  if (q.flag !== undefined) query.flag = q.flag;
  if (q.cursor !== undefined) query.after = decodeCursor(q.cursor);
  return query;
}
