/**
 * GET /v1/proofs/lookup?origin=O&decisionId=D | &leafHash=H — a cross-org proof found by what a person
 * has in hand: the entry of member O's log (this node's included) that holds decision D, or whose leaf
 * hash is H. O's node says which index (over libp2p); this node believes it only once the entry proven at
 * that index in O's newest witnessed checkpoint is that decision (or has that hash). The answer is the
 * same bundle as GET /v1/proofs/inclusion (govfed-crossorg-proof/v1: verifies offline with `govfed
 * verify`). 404 when O's log has no such entry; 409 ERR_NOT_WITNESSED when no witnessed checkpoint covers
 * it yet; 503 when O's node cannot be reached; 502 ERR_BAD_PEER_RESPONSE when O's answer does not hold.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { requireWitness } from '../ports/witness.ts';
import { crossOrgBundleSchema, originParam } from '../schemas/proofs-crossorg.ts';
import { errorResponses } from '../schemas/shared.ts';
import { decodeHash, HASH_PATTERN } from './log-lookup.ts';

export function proofsCrossOrgLookupRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { origin: string; decisionId?: string; leafHash?: string } }>(
    '/v1/proofs/lookup',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Cross-org proof bundle of the entry of any member’s log with a decision id or leaf hash',
        tags: ['proofs'],
        security: [{ bearer: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['origin'],
          properties: {
            origin: originParam,
            decisionId: { type: 'string', minLength: 1, maxLength: 128, description: 'the decision’s id' },
            leafHash: { type: 'string', pattern: HASH_PATTERN, description: 'SHA-256(0x00 || entry), hex or base64' },
          },
          oneOf: [{ required: ['decisionId'] }, { required: ['leafHash'] }],
        },
        response: { 200: crossOrgBundleSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const key =
        q.leafHash !== undefined ? { leafHash: decodeHash(q.leafHash) } : { decisionId: q.decisionId as string };
      const bundle = await requireWitness(ctx).lookup(q.origin, key);
      reply.header('cache-control', 'no-store');
      return bundle;
    },
  );
}
