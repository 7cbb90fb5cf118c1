/** GET /metrics — Prometheus text exposition of the node's own registry (any valid token). */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { errorResponses } from '../schemas/shared.ts';

export function metricsRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/metrics',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Prometheus metrics',
        tags: ['node'],
        security: [{ bearer: [] }],
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: {
          200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } },
          ...errorResponses,
        },
      },
    },
    async (_request, reply) => {
      const text = await ctx.metrics.registry.metrics();
      reply.type(ctx.metrics.registry.contentType);
      return text;
    },
  );
}
