/**
 * POST /v1/policy/proposals (admin) {rules, expiresAt?} — propose the next global bundle. The node fills
 * the federation id, version (current + 1), previous (the current digest) and createdAt, type-checks
 * every rule (400 ERR_INVALID_RULE pointing at the rule and the place in its expression), signs and
 * gossips it. Applied everywhere once thresholds.policy members signed.
 */
import type { FastifyInstance } from 'fastify';
import { RFC3339_UTC_PATTERN } from '../../../protocol/audit/fields.ts';
import type { ApiContext } from '../context.ts';
import { requirePolicy } from '../ports/policy.ts';
import { emptyQuery, proposalViewSchema, rulesInput } from '../schemas/policy.ts';
import { errorResponses } from '../schemas/shared.ts';

export const MAX_POLICY_BODY_BYTES = 512 * 1024;

export function policyProposalsPostRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { rules: unknown[]; expiresAt?: string; riskTiers?: unknown } }>(
    '/v1/policy/proposals',
    {
      config: { access: 'admin' },
      bodyLimit: MAX_POLICY_BODY_BYTES,
      schema: {
        summary: 'Propose the next global policy bundle',
        tags: ['policy'],
        security: [{ bearer: [] }],
        querystring: emptyQuery,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['rules'],
          properties: {
            rules: rulesInput,
            expiresAt: { type: 'string', pattern: RFC3339_UTC_PATTERN, description: 'default: 30 days from now' },
            riskTiers: {
              type: 'object',
              description: 'the lowest score of each risk tier: {serious, high, medium} (default 80, 50, 20)',
            },
          },
        },
        response: { 200: proposalViewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      return await requirePolicy(ctx).propose({
        rules: b.rules,
        ...(b.expiresAt === undefined ? {} : { expiresAt: b.expiresAt }),
        ...(b.riskTiers === undefined ? {} : { riskTiers: b.riskTiers }),
      });
    },
  );
}
