/**
 * GET /healthz and GET /readyz — without a token (for load balancers and process supervisors).
 *
 *   /healthz  200 {"status":"ok","writable":true} when the log takes appends and checkpoint signing works;
 *             200 {"status":"degraded","code":"ERR_FEDERATION_STALE","reason","writable":true} when it does
 *             but no majority of the federation has confirmed this node's charter version within the
 *             freshness window (an eclipse, a partition, or the node is behind). The status stays 200: the
 *             node still logs and proves; 200 {"status":"degraded","code":"ERR_REVOCATIONS_STALE",…} when
 *             the kill-switch state is older than a contract of a high-tier version allows (its decisions
 *             fail closed); the and a supervisor restarting it or a load balancer dropping it
 *             would turn a network problem into an outage without curing it; alert on `degraded` (or the
 *             gauge govfed_charter_stale) instead;
 *             503 {"status":"unhealthy","code","reason","writable"} while a store write failed (the log is
 *             reopening the store, or gave up: ERR_LOG_ROLLBACK) or the last checkpoint signing failed.
 *   /readyz   200 {"ready":true} when the node takes appends (POST /v1/decisions would be tried);
 *             503 {"ready":false,"code","reason"} otherwise.
 * A 503 carries Retry-After. The reasons are fixed phrases — the route is public, so the store's error
 * text (paths, sizes) stays in GET /v1/node (`govfed status`) and the operator's log.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext, LogHealth } from '../context.ts';
import { errorRef } from '../schemas/shared.ts';

interface Verdict {
  code: string;
  reason: string;
}

/** Why the log does not take appends, or undefined when it does. */
export function notReady(h: LogHealth): Verdict | undefined {
  if (h.fault?.fatal) {
    return {
      code: h.fault.code,
      reason: 'the audit log lost acknowledged entries after a failed write and stopped; see the operator log',
    };
  }
  if (h.fault !== undefined) {
    return { code: 'ERR_LOG_UNAVAILABLE', reason: 'a write to the audit log failed; reopening the store' };
  }
  if (h.stopped || !h.writable) return { code: 'ERR_SHUTTING_DOWN', reason: 'the audit log is not running' };
  return undefined;
}

/** A follower of a shared log that has not read the lease holder's rules yet takes no decisions. */
function followerNotReady(ctx: ApiContext): Verdict | undefined {
  const f = ctx.follower;
  if (f === undefined || !f.following() || f.ready()) return undefined;
  return { code: 'ERR_NOT_LEADER', reason: "this process follows and has not read the org's rules yet" };
}

/** Why the node is unhealthy, or undefined when it is healthy. */
export function unhealthy(h: LogHealth): Verdict | undefined {
  const nr = notReady(h);
  if (nr !== undefined) return nr;
  if (h.checkpointError !== undefined) {
    return { code: h.checkpointError.code, reason: 'checkpoint signing is failing' };
  }
  return undefined;
}

const verdictProps = { code: { type: 'string' }, reason: { type: 'string' } } as const;

/** Why the node is degraded (it works, but its federation view may be old), or undefined. */
export function degraded(
  freshness: { health(): { stale: boolean; code?: string; reason: string } } | undefined,
): Verdict | undefined {
  const h = freshness?.health();
  if (h?.stale !== true) return undefined;
  if (h.code === 'ERR_REVOCATIONS_STALE') return { code: h.code, reason: h.reason };
  return {
    code: 'ERR_FEDERATION_STALE',
    reason:
      "no majority of the federation has confirmed this node's charter version within the freshness window; see GET /v1/federation",
  };
}

export function healthzRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/healthz',
    {
      config: { access: 'public', rateLimit: false }, // probes are never rate-limited (node/api/rate-limit.ts)
      schema: {
        summary: 'Health: the log writes, checkpoints are signed, the charter is fresh (no token needed)',
        tags: ['node'],
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['status', 'writable'],
            properties: {
              status: { type: 'string', enum: ['ok', 'degraded'] },
              writable: { type: 'boolean' },
              ...verdictProps, // when degraded
            },
          },
          503: {
            anyOf: [
              {
                type: 'object',
                additionalProperties: false,
                required: ['status', 'code', 'reason', 'writable'],
                properties: {
                  status: { type: 'string', const: 'unhealthy' },
                  ...verdictProps,
                  writable: { type: 'boolean' },
                },
              },
              errorRef, // while the API itself is closing (ERR_SHUTTING_DOWN)
            ],
          },
          '4xx': errorRef,
          '5xx': errorRef,
        },
      },
    },
    async (_req, reply) => {
      const h = ctx.log.health();
      const bad = unhealthy(h);
      if (bad === undefined) {
        // A follower runs no freshness module: the federation's view is its lease holder's.
        const stale = ctx.follower?.following() === true ? undefined : degraded(ctx.freshness);
        return stale === undefined
          ? { status: 'ok', writable: true }
          : { status: 'degraded', ...stale, writable: true };
      }
      reply.code(503).header('retry-after', '1');
      return { status: 'unhealthy', ...bad, writable: h.writable };
    },
  );
  app.get(
    '/readyz',
    {
      config: { access: 'public', rateLimit: false }, // probes are never rate-limited (node/api/rate-limit.ts)
      schema: {
        summary: 'Readiness: the node takes appends (no token needed)',
        tags: ['node'],
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['ready'],
            properties: { ready: { type: 'boolean', const: true } },
          },
          503: {
            anyOf: [
              {
                type: 'object',
                additionalProperties: false,
                required: ['ready', 'code', 'reason'],
                properties: { ready: { type: 'boolean', const: false }, ...verdictProps },
              },
              errorRef,
            ],
          },
          '4xx': errorRef,
          '5xx': errorRef,
        },
      },
    },
    async (_req, reply) => {
      const bad = notReady(ctx.log.health()) ?? followerNotReady(ctx);
      if (bad === undefined) return { ready: true };
      reply.code(503).header('retry-after', '1');
      return { ready: false, ...bad };
    },
  );
}
