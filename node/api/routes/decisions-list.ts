/**
 * GET /v1/decisions?model=&since=&until=&verdict=&flag=&limit=&cursor= (role auditor) — a page of this
 * node's decisions, newest first, from the log's search index (node/log decision-search.ts; never a scan
 * of the log). Each item: the entry's index and leaf hash, the decision's id, model, time, verdict and
 * flags (the deny rules that fired), and its leaf. `next`, when present, continues the search: a page
 * can hold fewer than `limit` items and still have a `next` (a request reads at most SCAN_BUDGET index
 * keys). The full record of an item: GET /v1/decisions/{index}.
 *
 * A search reads one log: this node's current one, or with `origin` one it retired (`keys rotate --log`;
 * log-of.ts); the answer names it (`origin`), and its indices are that log's. `otherLogs` lists the logs
 * of this node the search did not read (absent when there are none), so a search of the current log that
 * finds nothing from before a rotation says where else to look: ask again with origin=<one of them>.
 */
import type { FastifyInstance } from 'fastify';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import type { FoundDecision } from '../../log/index.ts';
import type { ApiContext } from '../context.ts';
import { logOf, otherLogs } from '../log-of.ts';
import {
  decisionSummarySchema,
  encodeCursor,
  nextCursorSchema,
  otherLogsSchema,
  type SearchQueryString,
  searchQueryProperties,
  toDecisionQuery,
} from '../schemas/decisions.ts';
import { ownLogOriginParam } from '../schemas/proofs-crossorg.ts';
import { errorResponses } from '../schemas/shared.ts';

/** The list item of a found decision. */
export function decisionSummary(d: FoundDecision): Record<string, unknown> {
  return {
    index: d.index,
    leafHash: toBase64(d.leafHash),
    decisionId: d.leaf.decisionId,
    model: d.leaf.model,
    time: d.leaf.time,
    verdict: d.leaf.verdict ?? 'none',
    flags: d.leaf.deny ?? [],
    leaf: d.leaf,
  };
}

export function decisionsListRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: SearchQueryString & { origin?: string } }>(
    '/v1/decisions',
    {
      config: { access: 'auditor' },
      schema: {
        summary: 'Search this node’s decisions, newest first (auditors only)',
        tags: ['decisions'],
        security: [{ bearer: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...searchQueryProperties,
            origin: ownLogOriginParam,
          },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['items', 'origin'],
            properties: {
              origin: { type: 'string', description: 'the log searched (its indices)' },
              items: { type: 'array', items: decisionSummarySchema },
              next: nextCursorSchema,
              otherLogs: otherLogsSchema,
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { origin, log } = logOf(ctx, request.query.origin);
      const result = await log.searchDecisions(toDecisionQuery(request.query, ctx.now()));
      reply.header('cache-control', 'no-store');
      const items = result.items.map(decisionSummary);
      const others = otherLogs(ctx, origin);
      return {
        origin,
        items,
        ...(result.next === undefined ? {} : { next: encodeCursor(result.next) }),
        ...(others.length === 0 ? {} : { otherLogs: others }),
      };
    },
  );
}
