/**
 * GET /v1/proofs/inclusion?origin=O&index=N — a cross-org proof: entry N of the log O (any member's,
 * this node's included) in O's newest witnessed checkpoint this node holds. The entry and its
 * inclusion proof are fetched from O's node over libp2p and verified here first; the bundle
 * (govfed-crossorg-proof/v1) carries the cosigned checkpoint, the keys and the charter chain, so it
 * verifies offline without trusting O, this node or any server. 409 ERR_NOT_WITNESSED when no witnessed
 * checkpoint covers N yet; 503 when O's node cannot be reached.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { requireWitness } from '../ports/witness.ts';
import { crossOrgBundleSchema, originParam } from '../schemas/proofs-crossorg.ts';
import { errorResponses, toUint, uintString } from '../schemas/shared.ts';

export function proofsCrossOrgInclusionRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { origin: string; index: string } }>(
    '/v1/proofs/inclusion',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Cross-org proof bundle of one entry of any member’s log',
        tags: ['proofs'],
        security: [{ bearer: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['origin', 'index'],
          properties: { origin: originParam, index: uintString },
        },
        response: { 200: crossOrgBundleSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const bundle = await requireWitness(ctx).proveInclusion(
        request.query.origin,
        toUint(request.query.index, 'index'),
      );
      reply.header('cache-control', 'no-store');
      return bundle;
    },
  );
}
