/**
 * GET /v1/log/proofs/consistency?from=M&to=N — the RFC 6962 consistency proof that the tree of size N
 * extends the tree of size M (N defaults to the latest checkpoint's size). Bad sizes are 400s.
 */
import type { FastifyInstance } from 'fastify';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import type { ApiContext } from '../context.ts';
import { errorResponses, toUint, uintString } from '../schemas/shared.ts';

export function proofsConsistencyRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { from: string; to?: string } }>(
    '/v1/log/proofs/consistency',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Consistency proof between two tree sizes',
        tags: ['log'],
        security: [{ bearer: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['from'],
          properties: {
            from: uintString,
            to: { ...uintString, description: 'default: the latest checkpoint’s tree size' },
          },
        },
        response: { 200: { $ref: 'govfed.consistencyProof#' }, ...errorResponses },
      },
    },
    async (request) => {
      const from = toUint(request.query.from, 'from');
      const to = request.query.to === undefined ? ctx.log.checkpoint().size : toUint(request.query.to, 'to');
      if (from > to) throw new GovfedError('ERR_INVALID_TREE_SIZE', `from ${from} is larger than to ${to}`);
      const proof = await ctx.log.proveConsistency(from, to);
      return { from, to, proof: proof.map(toBase64) };
    },
  );
}
