/** GET /healthz — liveness, without a token (for load balancers and process supervisors). */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { errorResponses } from '../schemas.ts';

export function healthzRoute(app: FastifyInstance, _ctx: ApiContext): void {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Liveness check (no token needed)',
        tags: ['node'],
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['status'],
            properties: { status: { type: 'string', const: 'ok' } },
          },
          ...errorResponses,
        },
      },
    },
    async () => ({ status: 'ok' }),
  );
}
