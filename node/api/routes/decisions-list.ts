/**
 * GET /v1/decisions?model=&since=&until=&verdict=&flag=&limit=&cursor= (role auditor) — a page of this
 * node's decisions, newest first, from the log's search index (node/log decision-search.ts; never a scan
 * of the log). Each item: the entry's index and leaf hash, the decision's id, model, time, verdict and
 * flags (the deny rules that fired), and its leaf. `next`, when present, continues the search: a page
 * can hold fewer than `limit` items and still have a `next` (a request reads at most SCAN_BUDGET index
 * keys). The full record of an item: GET /v1/decisions/{index}.
 */
import type { FastifyInstance } from 'fastify';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import type { FoundDecision } from '../../log/index.ts';
import type { ApiContext } from '../context.ts';
import {
  decisionSummarySchema,
  encodeCursor,
  nextCursorSchema,
  type SearchQueryString,
  searchQueryProperties,
  toDecisionQuery,
} from '../schemas/decisions.ts';
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
  app.get<{ Querystring: SearchQueryString }>(
    '/v1/decisions',
    {
      config: { access: 'auditor' },
      schema: {
        summary: 'Search this node’s decisions, newest first (auditors only)',
        tags: ['decisions'],
        security: [{ bearer: [] }],
        querystring: { type: 'object', additionalProperties: false, properties: searchQueryProperties },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['items'],
            properties: { items: { type: 'array', items: decisionSummarySchema }, next: nextCursorSchema },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const result = await ctx.log.searchDecisions(toDecisionQuery(request.query, ctx.now()));
      reply.header('cache-control', 'no-store');
      const items = result.items.map(decisionSummary);
      return result.next === undefined ? { items } : { items, next: encodeCursor(result.next) };
    },
  );
}
