/** GET /openapi.json — the OpenAPI 3.1 document generated from the route schemas (no token needed). */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { errorResponses } from '../schemas/shared.ts';

export function openapiRoute(app: FastifyInstance, _ctx: ApiContext): void {
  app.get(
    '/openapi.json',
    {
      config: { access: 'public' },
      schema: {
        hide: true,
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: {
          200: { description: 'OpenAPI 3.1 document', type: 'object', additionalProperties: true },
          ...errorResponses,
        },
      },
    },
    async () => app.swagger(),
  );
}
