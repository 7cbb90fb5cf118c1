/** GET /v1/policy/local (any token) — this node's local overlay (its version and rules). */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { requirePolicy } from '../ports/policy.ts';
import { emptyQuery, localViewSchema } from '../schemas/policy.ts';
import { errorResponses } from '../schemas/shared.ts';

export function policyLocalGetRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/policy/local',
    {
      config: { access: 'any' },
      schema: {
        summary: 'The local policy overlay',
        tags: ['policy'],
        security: [{ bearer: [] }],
        querystring: emptyQuery,
        response: { 200: localViewSchema, ...errorResponses },
      },
    },
    async () => requirePolicy(ctx).local(),
  );
}
