/**
 * GET /v1/policy/versions/:version (any token) — one global baseline version this node holds: its rules,
 * digest, the digest of the version before it, and its dates. The console reads versions 1..the active
 * one to show the baseline's history and the difference between two versions. A version this node does
 * not hold (not yet applied, or beyond the head): 404 ERR_NOT_FOUND.
 */
import type { FastifyInstance } from 'fastify';
import { NodeError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { requirePolicy } from '../ports/policy.ts';
import { ruleSchema } from '../schemas/policy.ts';
import { emptyQuery, errorResponses, toUint, uintString } from '../schemas/shared.ts';

export function policyVersionGetRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { version: string } }>(
    '/v1/policy/versions/:version',
    {
      config: { access: 'any' },
      schema: {
        summary: 'One global baseline version this node holds (history and differences)',
        tags: ['policy'],
        security: [{ bearer: [] }],
        querystring: emptyQuery,
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['version'],
          properties: { version: uintString },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['version', 'digest', 'previous', 'createdAt', 'expiresAt', 'rules'],
            properties: {
              version: { type: 'integer', minimum: 1 },
              digest: { type: 'string', description: 'sha256 of the bundle’s canonical bytes' },
              previous: { type: ['string', 'null'], description: 'the digest of the version before it' },
              createdAt: { type: 'string' },
              expiresAt: { type: 'string' },
              rules: { type: 'array', items: ruleSchema },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const version = toUint(request.params.version, 'version');
      const held = version === 0 ? undefined : requirePolicy(ctx).baselineAt(version);
      if (held === undefined) throw new NodeError('ERR_NOT_FOUND', `this node holds no baseline version ${version}`);
      const b = held.baseline;
      return {
        version: b.version,
        digest: held.digest,
        previous: b.previous,
        createdAt: b.createdAt,
        expiresAt: b.expiresAt,
        rules: b.rules,
      };
    },
  );
}
