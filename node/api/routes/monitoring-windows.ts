/**
 * GET /v1/models/{name}/{version}/monitoring/windows?org=&member=&monitor=&limit=&cursor= (auditor) —
 * the monitoring windows this node holds of a model version over time (node/monitoring/history.ts):
 * its own and every member's, each verified when it was taken, at most MAX_KEPT per org × monitor,
 * oldest first, in pages of `limit` (1..200, default 100) with an opaque `next` cursor. Each window as in
 * …/monitoring (counts, value, threshold, breach and the signed envelope). The console's charts read it.
 */
import type { FastifyInstance } from 'fastify';
import { checkHistoryQuery, type HistoryQuery, historyPage } from '../../monitoring/history.ts';
import { windowView } from '../../monitoring/views.ts';
import type { ApiContext } from '../context.ts';
import { requireModels } from '../ports/models.ts';
import { modelParams } from '../schemas/models.ts';
import { windowsPageSchema, windowsQuery } from '../schemas/monitoring.ts';
import { errorResponses } from '../schemas/shared.ts';

interface Query {
  org?: string;
  member?: string;
  monitor?: string;
  limit?: string;
  cursor?: string;
}

export function monitoringWindowsRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { name: string; version: string }; Querystring: Query }>(
    '/v1/models/:name/:version/monitoring/windows',
    {
      config: { access: 'auditor' as const },
      schema: {
        summary: 'The monitoring windows held of a model version over time, oldest first, in pages',
        tags: ['registry'],
        security: [{ bearer: [] }],
        params: modelParams,
        querystring: windowsQuery,
        response: { 200: windowsPageSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const query: HistoryQuery = {
        ...(q.member === undefined ? {} : { member: q.member }),
        ...(q.monitor === undefined ? {} : { monitor: Number(q.monitor) }),
        ...(q.limit === undefined ? {} : { limit: Number(q.limit) }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      };
      checkHistoryQuery(query); // the client's mistakes first, before what this node holds
      const models = requireModels(ctx);
      const held = models.find(req.params.name, req.params.version, q.org);
      const page = historyPage(ctx.monitoring?.history(held.key) ?? [], query);
      reply.header('cache-control', 'no-store');
      return {
        model: held.key,
        windows: page.windows.map((h) => windowView(held, h)),
        ...(page.next === undefined ? {} : { next: page.next }),
      };
    },
  );
}
