/**
 * Per-client rate limits of the API (config.json `http.rateLimit`, node/home/rate-limit-config.ts), with
 * @fastify/rate-limit: its hook on every route, a token bucket per client (token-bucket.ts).
 *
 * Which budget a request counts against (budgetOf):
 *   perIp           a route without a token, a request without a valid token, or one to an unknown route
 *                   (the not-found handler, notFoundLimit) — keyed by the client's address (`request.ip`:
 *                   the TCP peer, or with `http.trustProxy` the address the trusted proxy forwarded; IPv6
 *                   per /64)
 *   perToken        a route with a token — keyed by the token's public id, from any address
 *   ingestPerToken  the ingest role's routes (POST /v1/decisions, POST /v1/evaluate) — per token, in a
 *                   bucket of their own; off by default (ingest has its own backpressure, 503)
 * A budget of 0 is off. GET /healthz and GET /readyz are never limited (`config.rateLimit: false`):
 * load balancers and supervisors poll them, often from the one address of the proxy.
 *
 * The limiter runs in onRequest after the app-wide hooks (fastify runs route-level hooks last), so the
 * token is already checked: a request without a valid token counts against its address (perIp) and is
 * answered 401 after the limiter (auth.ts defers it to preParsing), so a client guessing tokens is slowed
 * like any other; a request over its budget is refused before its body is read. The refusal is 429
 * ERR_RATE_LIMITED in the API's error shape (errors.ts) with `Retry-After` (seconds until one request is
 * allowed again) and `X-RateLimit-Limit`, `X-RateLimit-Remaining` (0), `X-RateLimit-Reset`. Successful
 * answers carry no rate-limit headers: tiles are cached by proxies and CDNs, which must not keep one
 * client's count.
 * Each refusal counts in `govfed_rate_limited_total{limit}`.
 */
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { NodeError } from '../errors.ts';
import type { RateLimits } from '../home/rate-limit-config.ts';
import type { NodeMetrics } from './metrics.ts';
import { errorRef } from './schemas/shared.ts';
import { type TokenBucketOptions, tokenBucketStore } from './token-bucket.ts';

/** Budgets are per minute. */
export const RATE_WINDOW_MS = 60_000;

/** Which budget a request counts against, and the key of its bucket. */
export function budgetOf(request: FastifyRequest): { limit: keyof RateLimits; key: string } {
  if (request.tokenId !== undefined) {
    return request.routeOptions.config.access === 'ingest'
      ? { limit: 'ingestPerToken', key: `ingest:${request.tokenId}` }
      : { limit: 'perToken', key: `token:${request.tokenId}` };
  }
  // request.ip is undefined when the socket closed before the request was handled: one shared bucket.
  const ip = typeof request.ip === 'string' && request.ip !== '' ? normalizeIP(request.ip) : 'unknown';
  return { limit: 'perIp', key: `ip:${ip}` };
}

const WHOSE: Record<keyof RateLimits, string> = {
  perIp: 'from this address',
  perToken: 'with this token',
  ingestPerToken: 'to the ingest routes with this token',
};

/** The 429 answer in the OpenAPI document of every limited route. */
export const rateLimitedResponse = {
  description:
    'ERR_RATE_LIMITED: the client (its address without a valid token, else its token) is over its budget of requests per minute (config.json http.rateLimit)',
  headers: {
    'retry-after': { type: 'integer', minimum: 1, description: 'seconds until one request is allowed again' },
    'x-ratelimit-limit': { type: 'integer', description: 'the budget: requests per minute' },
    'x-ratelimit-remaining': { type: 'integer', description: '0' },
    'x-ratelimit-reset': { type: 'integer', description: 'seconds until one request is allowed again' },
  },
  ...errorRef,
} as const;

/** True for a route the limiter leaves alone (`config.rateLimit: false`). */
function exempt(route: { config?: unknown }): boolean {
  return (route.config as { rateLimit?: unknown } | undefined)?.rateLimit === false;
}

/**
 * Declares the 429 answer on every route that is limited (schema-first: the OpenAPI document shows it).
 * Must be installed before the routes are added.
 */
export function declareRateLimitedResponse(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const response = route.schema?.response as Record<string, unknown> | undefined;
    if (exempt(route) || response === undefined || response['429'] !== undefined) return;
    route.schema = { ...route.schema, response: { ...response, 429: rateLimitedResponse } };
  });
}

/** Registers the limiter (nothing when every budget is 0). Must be awaited before the routes are added. */
export async function installRateLimit(
  app: FastifyInstance,
  limits: RateLimits,
  metrics: NodeMetrics,
  store: TokenBucketOptions = {},
): Promise<void> {
  if (limits.perIp === 0 && limits.perToken === 0 && limits.ingestPerToken === 0) return;
  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    timeWindow: RATE_WINDOW_MS,
    store: tokenBucketStore(store),
    keyGenerator: (request) => budgetOf(request).key,
    max: (request) => limits[budgetOf(request).limit],
    allowList: (request) => limits[budgetOf(request).limit] === 0,
    onExceeded: (request) => metrics.rateLimited.inc({ limit: budgetOf(request).limit }),
    errorResponseBuilder: (request, context) => {
      const { limit } = budgetOf(request);
      return new NodeError(
        'ERR_RATE_LIMITED',
        `too many requests ${WHOSE[limit]}: the budget is ${context.max} a minute (http.rateLimit.${limit}); retry in ${context.after}`,
      );
    },
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
  });
}

/**
 * The limiter's hook for the not-found handler (errors.ts installNotFoundHandler): a request no route
 * takes counts against its address (perIp). Undefined when no limiter was registered (every budget 0).
 */
export function notFoundLimit(app: FastifyInstance): onRequestHookHandler | undefined {
  return app.hasDecorator('rateLimit') ? (app.rateLimit() as onRequestHookHandler) : undefined;
}
