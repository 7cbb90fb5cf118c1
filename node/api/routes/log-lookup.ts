/**
 * GET /v1/log/lookup?leafHash=H | ?decisionId=D — the index of an entry of this node's log, found by its
 * RFC 6962 leaf hash (standard base64 or 64 hex digits) or by a decision's id (node/log lookup index).
 * 404 when no entry has it. With the index, anyone can ask any member for a cross-org proof of it.
 */
import type { FastifyInstance } from 'fastify';
import { fromBase64, fromHex, toBase64 } from '../../../protocol/encoding/bytes.ts';
import { leafHash } from '../../../protocol/log/index.ts';
import { NodeError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { base64, errorResponses } from '../schemas/shared.ts';

export const HASH_PATTERN = '^([0-9a-f]{64}|[A-Za-z0-9+/]{43}=)$';

export function decodeHash(s: string): Uint8Array {
  try {
    return s.length === 64 ? fromHex(s) : fromBase64(s);
  } catch (cause) {
    throw new NodeError('ERR_VALIDATION', 'leafHash must be 32 bytes in hex or canonical base64', { cause });
  }
}

export function logLookupRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { leafHash?: string; decisionId?: string } }>(
    '/v1/log/lookup',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Find an entry by its leaf hash or decision id',
        tags: ['log'],
        security: [{ bearer: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            leafHash: { type: 'string', pattern: HASH_PATTERN, description: 'SHA-256(0x00 || entry), hex or base64' },
            decisionId: { type: 'string', minLength: 1, maxLength: 128, description: 'the decision’s id' },
          },
          oneOf: [{ required: ['leafHash'] }, { required: ['decisionId'] }],
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['index', 'leafHash'],
            properties: { index: { type: 'integer', minimum: 0 }, leafHash: base64 },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const index =
        q.leafHash !== undefined
          ? await ctx.log.lookupLeafHash(decodeHash(q.leafHash))
          : await ctx.log.lookupDecision(q.decisionId as string);
      if (index === undefined) throw new NodeError('ERR_NOT_FOUND', 'no entry of this log has it');
      return { index, leafHash: toBase64(leafHash(await ctx.log.entry(index))) };
    },
  );
}
