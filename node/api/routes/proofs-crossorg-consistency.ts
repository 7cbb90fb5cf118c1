/**
 * GET /v1/proofs/consistency?origin=O&from=M[&to=N] — the RFC 6962 consistency proof of O's log from
 * size M to its newest witnessed checkpoint this node holds (N, when given, must be that size), fetched
 * from O's node and verified here against the witnessed checkpoint, which is returned with it.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { requireWitness } from '../ports/witness.ts';
import { crossOrgConsistencySchema, originParam } from '../schemas/proofs-crossorg.ts';
import { errorResponses, toUint, uintString } from '../schemas/shared.ts';

export function proofsCrossOrgConsistencyRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { origin: string; from: string; to?: string } }>(
    '/v1/proofs/consistency',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Consistency proof of any member’s log up to its newest witnessed checkpoint',
        tags: ['proofs'],
        security: [{ bearer: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['origin', 'from'],
          properties: { origin: originParam, from: uintString, to: uintString },
        },
        response: { 200: crossOrgConsistencySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const to = q.to === undefined ? undefined : toUint(q.to, 'to');
      const r = await requireWitness(ctx).proveConsistency(q.origin, toUint(q.from, 'from'), to);
      reply.header('cache-control', 'no-store');
      return r;
    },
  );
}
