/**
 * POST /v1/policy/proposals/{id}/signatures (admin) — co-sign a pending bundle, named by its id (the
 * bundle digest, or a unique prefix of its hex of at least 8 digits).
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { requirePolicy } from '../ports/policy.ts';
import { emptyQuery, proposalViewSchema } from '../schemas/policy.ts';
import { defaultEmptyBody, emptyBodySchema, errorResponses } from '../schemas/shared.ts';

export const POLICY_ID_PATTERN = '^(sha256:)?[0-9a-f]{8,64}$';

export function policySignRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Params: { id: string } }>(
    '/v1/policy/proposals/:id/signatures',
    {
      config: { access: 'admin' },
      preValidation: defaultEmptyBody,
      schema: {
        summary: 'Co-sign a pending policy bundle',
        tags: ['policy'],
        security: [{ bearer: [] }],
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: { id: { type: 'string', pattern: POLICY_ID_PATTERN } },
        },
        querystring: emptyQuery,
        body: emptyBodySchema,
        response: { 200: proposalViewSchema, ...errorResponses },
      },
    },
    async (request) => await requirePolicy(ctx).sign(request.params.id),
  );
}
