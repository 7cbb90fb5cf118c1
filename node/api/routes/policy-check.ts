/**
 * POST /v1/policy/check (any token) {rules, ...} — type-check a bundle file or a rule list without
 * changing anything: every problem, with the rule, line and column.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { requirePolicy } from '../ports/policy.ts';
import { emptyQuery } from '../schemas/policy.ts';
import { errorResponses } from '../schemas/shared.ts';
import { MAX_POLICY_BODY_BYTES } from './policy-proposals-post.ts';

export const checkResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ok', 'errors'],
  properties: {
    ok: { type: 'boolean' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['message'],
        properties: {
          code: {
            type: 'string',
            description: 'ERR_INVALID_RULE, or ERR_RULE_TOO_COSTLY for a rule (or list) over the cost limit',
          },
          rule: { type: ['string', 'null'], description: 'the rule id (or its position) when known' },
          message: { type: 'string' },
          line: { type: ['integer', 'null'] },
          column: { type: ['integer', 'null'] },
        },
      },
    },
  },
} as const;

export function policyCheckRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: Record<string, unknown> }>(
    '/v1/policy/check',
    {
      config: { access: 'any' },
      bodyLimit: MAX_POLICY_BODY_BYTES,
      schema: {
        summary: 'Type-check policy rules (no state change)',
        tags: ['policy'],
        security: [{ bearer: [] }],
        querystring: emptyQuery,
        body: { type: 'object', description: 'a bundle file {rules, expiresAt?} or a full bundle' },
        response: { 200: checkResultSchema, ...errorResponses },
      },
    },
    async (request) => requirePolicy(ctx).check(request.body),
  );
}
