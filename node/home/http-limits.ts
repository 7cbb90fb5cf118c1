/**
 * The HTTP server's limits against slow and greedy clients: config.json's optional `http` object.
 *
 *   requestTimeoutMs    the whole request (headers and body) must arrive within it, else 408 and the
 *                       connection closes — a client trickling one body byte every few seconds is cut
 *   headersTimeoutMs    the headers must arrive within it (≤ requestTimeoutMs; by default the smaller of
 *                       10 s and requestTimeoutMs)
 *   idleTimeoutMs       a connection with no traffic either way for this long is closed (not while
 *                       a request of it is being handled: a slow answer is still sent)
 *   keepAliveTimeoutMs  an idle keep-alive connection between requests is closed after it
 *   maxConnections      open connections at most; connections past it are closed on accept
 *   rateLimit           per-client request budgets (rate-limit-config.ts)
 *   trustProxy          the reverse proxies whose X-Forwarded-For names the client (trust-proxy.ts)
 *
 * Every field is optional; DEFAULT_HTTP_LIMITS fills the rest. Unknown fields are rejected, like the rest
 * of config.json.
 */
import { NodeError } from '../errors.ts';
import { checkRateLimits, type RateLimits } from './rate-limit-config.ts';
import { checkTrustProxy } from './trust-proxy.ts';

export interface HttpLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 512,
});

/** config.json `http`: the limits above, the rate limits and the trusted proxies, each optional. */
export interface HttpConfig extends Partial<HttpLimits> {
  rateLimit?: Partial<RateLimits>;
  trustProxy?: string[];
}

/** Allowed range of each field. */
const RANGES: Record<keyof HttpLimits, [number, number]> = {
  requestTimeoutMs: [100, 3_600_000],
  headersTimeoutMs: [100, 3_600_000],
  idleTimeoutMs: [100, 3_600_000],
  keepAliveTimeoutMs: [100, 3_600_000],
  maxConnections: [1, 1_000_000],
};

/** Checks config.json's `http` object (absent: {}). Throws ERR_INVALID_CONFIG. */
export function checkHttpLimits(value: unknown): HttpConfig {
  const fail = (msg: string) => new NodeError('ERR_INVALID_CONFIG', `config.json: http.${msg}`);
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NodeError('ERR_INVALID_CONFIG', 'config.json: http must be a JSON object');
  }
  const v = value as Record<string, unknown>;
  const { rateLimit, trustProxy, ...numbers } = v;
  checkRateLimits(rateLimit);
  checkTrustProxy(trustProxy);
  for (const [k, x] of Object.entries(numbers)) {
    const range = RANGES[k as keyof HttpLimits];
    if (range === undefined || !Object.hasOwn(RANGES, k)) throw fail(`${k} is not a known limit`);
    if (typeof x !== 'number' || !Number.isInteger(x) || x < range[0] || x > range[1]) {
      throw fail(`${k} must be an integer from ${range[0]} to ${range[1]}`);
    }
  }
  const limits = resolveHttpLimits(numbers as Partial<HttpLimits>);
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw fail(
      `headersTimeoutMs (${limits.headersTimeoutMs}) must not exceed requestTimeoutMs (${limits.requestTimeoutMs})`,
    );
  }
  return v as HttpConfig;
}

/** The limits in force: the configured ones over the defaults (rateLimit and trustProxy are left out). */
export function resolveHttpLimits(partial: HttpConfig | undefined): HttpLimits {
  const { rateLimit: _r, trustProxy: _t, ...numbers } = partial ?? {};
  const limits = { ...DEFAULT_HTTP_LIMITS, ...numbers };
  // A shorter request timeout alone shortens the headers timeout with it.
  if (partial?.headersTimeoutMs === undefined) {
    limits.headersTimeoutMs = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  }
  return limits;
}
