/**
 * GET /v1/decisions/proofs?treeSize=N&<the search of GET /v1/decisions> (role auditor) — a page of the
 * decisions that match, among the first N entries of the log, each with its full record, its exact leaf
 * bytes and its inclusion proof in the tree of size N. `govfed decisions export` pages through it with N
 * the size of one signed checkpoint, so every record of an export is proved against that checkpoint.
 * treeSize must be 1..the committed size (ERR_INVALID_TREE_SIZE). Pages are at most 1000 items.
 */
import type { FastifyInstance } from 'fastify';
import { fromUtf8, toBase64 } from '../../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import { NodeError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import {
  encodeCursor,
  nextCursorSchema,
  type SearchQueryString,
  searchQueryProperties,
  toDecisionQuery,
} from '../schemas/decisions.ts';
import { base64, errorResponses, toUint, uintString } from '../schemas/shared.ts';

export function decisionsProofsRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: SearchQueryString & { treeSize: string } }>(
    '/v1/decisions/proofs',
    {
      config: { access: 'auditor' },
      schema: {
        summary: 'Matching decisions with their records and inclusion proofs at one tree size (auditors only)',
        tags: ['decisions'],
        security: [{ bearer: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['treeSize'],
          properties: {
            ...searchQueryProperties,
            treeSize: { ...uintString, description: 'prove against the tree of this size (a signed checkpoint’s)' },
          },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['treeSize', 'items'],
            properties: {
              treeSize: { type: 'integer', minimum: 1 },
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['index', 'leafHash', 'entry', 'record', 'proof'],
                  properties: {
                    index: { type: 'integer', minimum: 0 },
                    leafHash: { ...base64, description: 'SHA-256(0x00 || entry)' },
                    entry: { ...base64, description: 'the exact leaf bytes' },
                    record: { $ref: 'govfed.decisionRecord#' },
                    proof: { type: 'array', items: base64 },
                  },
                },
              },
              next: nextCursorSchema,
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const treeSize = toUint(request.query.treeSize, 'treeSize');
      if (treeSize < 1 || treeSize > ctx.log.size) {
        throw new GovfedError('ERR_INVALID_TREE_SIZE', `treeSize must be 1..${ctx.log.size}, got ${treeSize}`);
      }
      const query = { ...toDecisionQuery(request.query, ctx.now()), below: treeSize };
      const result = await ctx.log.searchDecisions(query);
      const items = [];
      for (const d of result.items) {
        const [entry, raw, proof] = await Promise.all([
          ctx.log.entry(d.index),
          ctx.log.record(d.index),
          ctx.log.proveInclusion(d.index, treeSize),
        ]);
        if (raw === undefined) throw new NodeError('ERR_INTERNAL', `no record is stored for decision entry ${d.index}`);
        let record: unknown;
        try {
          record = JSON.parse(fromUtf8(raw));
        } catch (cause) {
          throw new NodeError('ERR_INTERNAL', `stored record ${d.index} does not parse`, { cause });
        }
        items.push({
          index: d.index,
          leafHash: toBase64(d.leafHash),
          entry: toBase64(entry),
          record,
          proof: proof.map(toBase64),
        });
      }
      reply.header('cache-control', 'no-store');
      return result.next === undefined ? { treeSize, items } : { treeSize, items, next: encodeCursor(result.next) };
    },
  );
}
