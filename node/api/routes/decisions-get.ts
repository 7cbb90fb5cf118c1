/**
 * GET /v1/decisions/{index}[?origin=O] (role auditor) — the full decision record behind a log entry: of
 * this node's current log, or of the log it retired that `origin` names (log-of.ts; indices are per log).
 *
 * Raw records never leave the node except here, to an auditor token. The response schema lists the
 * record's fields, so nothing else stored with it can be serialised by accident.
 */
import type { FastifyInstance } from 'fastify';
import { decodeLeaf } from '../../../protocol/audit/leaf.ts';
import { fromUtf8, toBase64 } from '../../../protocol/encoding/bytes.ts';
import { leafHash } from '../../../protocol/log/index.ts';
import { NodeError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { logOf } from '../log-of.ts';
import { ownLogOriginParam } from '../schemas/proofs-crossorg.ts';
import { base64, errorResponses, toUint, uintString } from '../schemas/shared.ts';

export function decisionsGetRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { index: string }; Querystring: { origin?: string } }>(
    '/v1/decisions/:index',
    {
      config: { access: 'auditor' },
      schema: {
        summary: 'The full decision record of a log entry (auditors only)',
        tags: ['decisions'],
        security: [{ bearer: [] }],
        params: { type: 'object', additionalProperties: false, required: ['index'], properties: { index: uintString } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            origin: ownLogOriginParam,
          },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['index', 'leafHash', 'leaf', 'record', 'origin'],
            properties: {
              origin: { type: 'string', description: 'the log the entry is in' },
              index: { type: 'integer', minimum: 0 },
              leafHash: base64,
              leaf: { $ref: 'govfed.decisionLeaf#' },
              record: { $ref: 'govfed.decisionRecord#' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const index = toUint(request.params.index, 'index');
      const { origin, log } = logOf(ctx, request.query.origin);
      const entry = await log.entry(index);
      let leaf: ReturnType<typeof decodeLeaf>;
      try {
        leaf = decodeLeaf(entry);
      } catch (cause) {
        throw new NodeError('ERR_INTERNAL', `stored entry ${index} does not decode`, { cause });
      }
      if (leaf.type !== 'decision')
        throw new NodeError('ERR_NOT_FOUND', `entry ${index} is a ${leaf.type} event, not a decision`);
      const raw = await log.record(index);
      if (raw === undefined) throw new NodeError('ERR_NOT_FOUND', `no record is stored for entry ${index}`);
      let record: unknown;
      try {
        record = JSON.parse(fromUtf8(raw));
      } catch (cause) {
        throw new NodeError('ERR_INTERNAL', `stored record ${index} does not parse`, { cause });
      }
      reply.header('cache-control', 'no-store');
      return { origin, index, leafHash: toBase64(leafHash(entry)), leaf, record };
    },
  );
}
