/**
 * Per-client request budgets of the HTTP API: config.json `http.rateLimit` (node/api/rate-limit.ts
 * enforces them). Each is a number of requests per minute, refilled continuously (a token bucket that
 * holds at most one minute's budget); 0 turns that limit off.
 *
 *   perIp           routes without a token (tlog-tiles, /checkpoint, /openapi.json, the console's files,
 *                   the tlog-witness route), requests without a valid token (401) and to unknown routes
 *                   (404), counted per client address (an IPv6 client per /64)
 *   perToken        routes with a token, counted per token (its public id), whatever address it comes
 *                   from — one org's scripts behind one NAT are not throttled as one address
 *   ingestPerToken  POST /v1/decisions, counted per token in a bucket of its own; 0 by default: ingest
 *                   is bounded by the log's backpressure (503 ERR_BACKPRESSURE), not by a request count
 *
 * Every field is optional; DEFAULT_RATE_LIMITS fills the rest. Unknown fields are rejected, like the rest
 * of config.json.
 */
import { NodeError } from '../errors.ts';

export interface RateLimits {
  perIp: number;
  perToken: number;
  ingestPerToken: number;
}

/**
 * 1,200 a minute per address (20/s sustained): a tile client or the console's page loads stay far below
 * it. 12,000 a minute per token (200/s): the console's live reloads (about one a second per open page)
 * and scripts reading proofs stay below it. Ingest: not limited (its backpressure bounds it).
 */
export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = Object.freeze({
  perIp: 1_200,
  perToken: 12_000,
  ingestPerToken: 0,
});

/** Largest budget of each field (per minute); 0 is off. */
export const MAX_RATE_LIMIT = 10_000_000;

const FIELDS: readonly (keyof RateLimits)[] = ['perIp', 'perToken', 'ingestPerToken'];

/** True when `v` is a valid budget: an integer from 0 (off) to MAX_RATE_LIMIT. */
export function isRateLimit(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_RATE_LIMIT;
}

/** Checks config.json's `http.rateLimit` object (absent: {}). Throws ERR_INVALID_CONFIG. */
export function checkRateLimits(value: unknown): Partial<RateLimits> {
  const fail = (msg: string) => new NodeError('ERR_INVALID_CONFIG', `config.json: http.rateLimit${msg}`);
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(' must be a JSON object');
  for (const [k, x] of Object.entries(value)) {
    if (!(FIELDS as readonly string[]).includes(k)) throw fail(`.${k} is not a known limit (${FIELDS.join(', ')})`);
    if (!isRateLimit(x)) {
      throw fail(`.${k} must be an integer from 0 (off) to ${MAX_RATE_LIMIT} (requests per minute)`);
    }
  }
  return value as Partial<RateLimits>;
}

/** The budgets in force: the configured ones over the defaults. */
export function resolveRateLimits(partial: Partial<RateLimits> | undefined): RateLimits {
  return { ...DEFAULT_RATE_LIMITS, ...partial };
}
