/**
 * GET /v1/log/proofs/inclusion?index=N&treeSize=M — the RFC 6962 inclusion proof of entry N in the tree
 * of size M (default: the latest signed checkpoint's size). Out-of-range values are 400s from the log
 * (ERR_INDEX_OUT_OF_RANGE, ERR_INVALID_TREE_SIZE).
 */
import type { FastifyInstance } from 'fastify';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import { leafHash } from '../../../protocol/log/index.ts';
import type { ApiContext } from '../context.ts';
import { errorResponses, toUint, uintString } from '../schemas/shared.ts';

export function proofsInclusionRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { index: string; treeSize?: string } }>(
    '/v1/log/proofs/inclusion',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Inclusion proof of one entry',
        tags: ['log'],
        security: [{ bearer: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['index'],
          properties: {
            index: uintString,
            treeSize: { ...uintString, description: 'default: the latest checkpoint’s tree size' },
          },
        },
        response: { 200: { $ref: 'govfed.inclusionProof#' }, ...errorResponses },
      },
    },
    async (request) => {
      const index = toUint(request.query.index, 'index');
      const treeSize =
        request.query.treeSize === undefined ? ctx.log.checkpoint().size : toUint(request.query.treeSize, 'treeSize');
      if (index >= treeSize) {
        throw new GovfedError('ERR_INDEX_OUT_OF_RANGE', `index ${index} is not below treeSize ${treeSize}`);
      }
      const proof = await ctx.log.proveInclusion(index, treeSize);
      const entry = await ctx.log.entry(index);
      return { index, treeSize, leafHash: toBase64(leafHash(entry)), proof: proof.map(toBase64) };
    },
  );
}
