/**
 * GET /v1/log/lookup?leafHash=H | ?decisionId=D [&origin=O] — the index of an entry of this node's log,
 * found by its RFC 6962 leaf hash (standard base64 or 64 hex digits) or by a decision's id (node/log
 * lookup index). `origin` names the log: this node's current one (the default) or one it retired
 * (log-of.ts); the answer names it too. 404 when no entry has it — when a retired log has it, the 404
 * says which log and index (ask again with that origin). With the index, anyone can ask any member for
 * a cross-org proof of it (GET /v1/proofs/lookup?origin=O&…).
 */
import type { FastifyInstance } from 'fastify';
import { fromBase64, fromHex, toBase64 } from '../../../protocol/encoding/bytes.ts';
import { leafHash } from '../../../protocol/log/index.ts';
import { NodeError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { findInRetired, logOf } from '../log-of.ts';
import { ownLogOriginParam } from '../schemas/proofs-crossorg.ts';
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
  app.get<{ Querystring: { leafHash?: string; decisionId?: string; origin?: string } }>(
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
            origin: ownLogOriginParam,
          },
          oneOf: [{ required: ['leafHash'] }, { required: ['decisionId'] }],
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['index', 'leafHash', 'origin'],
            properties: {
              index: { type: 'integer', minimum: 0, description: 'the entry’s index in the log `origin`' },
              leafHash: base64,
              origin: { type: 'string', description: 'the log the index is in' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const { origin, log } = logOf(ctx, q.origin);
      const key: { leafHash: Uint8Array } | { decisionId: string } =
        q.leafHash !== undefined ? { leafHash: decodeHash(q.leafHash) } : { decisionId: q.decisionId as string };
      const index =
        'leafHash' in key ? await log.lookupLeafHash(key.leafHash) : await log.lookupDecision(key.decisionId);
      if (index === undefined) {
        const elsewhere = q.origin === undefined ? await findInRetired(ctx, key) : undefined;
        if (elsewhere !== undefined) {
          throw new NodeError(
            'ERR_NOT_FOUND',
            `no entry of the current log has it; entry ${elsewhere.index} of the retired log ${elsewhere.origin} does: ask again with origin=${elsewhere.origin}`,
          );
        }
        throw new NodeError('ERR_NOT_FOUND', `no entry of the log ${origin} has it`);
      }
      return { index, leafHash: toBase64(leafHash(await log.entry(index))), origin };
    },
  );
}
