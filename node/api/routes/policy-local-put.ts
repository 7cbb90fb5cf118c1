/**
 * PUT /v1/policy/local (admin) {rules} — replace this node's local overlay. Rules are type-checked like
 * global ones (400 ERR_INVALID_RULE); they can only add denials and warnings to the global baseline.
 * Audited as a `policy.local` event.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { requirePolicy } from '../ports/policy.ts';
import { emptyQuery, localViewSchema, rulesInput } from '../schemas/policy.ts';
import { errorResponses } from '../schemas/shared.ts';
import { MAX_POLICY_BODY_BYTES } from './policy-proposals-post.ts';

export function policyLocalPutRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.put<{ Body: { rules: unknown[] } }>(
    '/v1/policy/local',
    {
      config: { access: 'admin' },
      bodyLimit: MAX_POLICY_BODY_BYTES,
      schema: {
        summary: 'Replace the local policy overlay',
        tags: ['policy'],
        security: [{ bearer: [] }],
        querystring: emptyQuery,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['rules'],
          properties: { rules: rulesInput },
        },
        response: { 200: localViewSchema, ...errorResponses },
      },
    },
    async (request) => await requirePolicy(ctx).setLocal({ rules: request.body.rules }),
  );
}
