/** GET /v1/federation — the charter this node holds, its members (connected, last seen) and pending proposals. */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { requireFederation } from '../ports/federation.ts';
import { emptyQuery, federationStatusSchema } from '../schemas/federation.ts';
import { errorResponses } from '../schemas/shared.ts';

export function federationGetRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/federation',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Federation status: charter, members, pending proposals',
        tags: ['federation'],
        security: [{ bearer: [] }],
        querystring: emptyQuery,
        response: { 200: federationStatusSchema, ...errorResponses },
      },
    },
    async () => requireFederation(ctx).status(),
  );
}
