/** GET /v1/policy (any token) — the active global baseline (rules, version, digest, expiry) and the local overlay. */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { requirePolicy } from '../ports/policy.ts';
import { emptyQuery, envelopeSchema, localViewSchema, ruleSchema } from '../schemas/policy.ts';
import { errorResponses } from '../schemas/shared.ts';

export function policyGetRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/policy',
    {
      config: { access: 'any' },
      schema: {
        summary: 'The policy this node enforces',
        tags: ['policy'],
        security: [{ bearer: [] }],
        querystring: emptyQuery,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['version', 'digest', 'createdAt', 'expiresAt', 'expired', 'rules', 'envelope', 'local'],
            properties: {
              version: { type: 'integer', description: '0: no global baseline yet' },
              digest: { type: ['string', 'null'], description: 'sha256 of the bundle’s canonical bytes' },
              createdAt: { type: ['string', 'null'] },
              expiresAt: { type: ['string', 'null'] },
              expired: { type: 'boolean' },
              rules: { type: 'array', items: ruleSchema },
              envelope: { anyOf: [envelopeSchema, { type: 'null' }], description: 'the signed bundle' },
              local: localViewSchema,
            },
          },
          ...errorResponses,
        },
      },
    },
    async () => requirePolicy(ctx).show(),
  );
}
