/**
 * GET /v1/decisions/proofs?treeSize=N&<the search of GET /v1/decisions> (role auditor) — a page of the
 * decisions that match, among the first N entries of the log, each with its full record, its exact leaf
 * bytes and its inclusion proof in the tree of size N. `govfed decisions export` pages through it with N
 * the size of one signed checkpoint, so every record of an export is proved against that checkpoint.
 * treeSize must be 1..the committed size (ERR_INVALID_TREE_SIZE). Pages are at most 1000 items.
 *
 * `origin` names the log, as for GET /v1/decisions (log-of.ts): this node's current one (the default) or
 * one it retired (`keys rotate --log`), whose committed size is that of its final checkpoint
 * (GET /v1/log/checkpoint?origin=). The answer names the log read (`origin`) and, in `otherLogs`, the
 * node's logs not read, so an export that finds nothing from before a rotation says where to look.
 */
import type { FastifyInstance } from 'fastify';
import { fromUtf8, toBase64 } from '../../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import { NodeError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { logOf, otherLogs } from '../log-of.ts';
import {
  encodeCursor,
  nextCursorSchema,
  otherLogsSchema,
  type SearchQueryString,
  searchQueryProperties,
  toDecisionQuery,
} from '../schemas/decisions.ts';
import { ownLogOriginParam } from '../schemas/proofs-crossorg.ts';
import { base64, errorResponses, toUint, uintString } from '../schemas/shared.ts';

export function decisionsProofsRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: SearchQueryString & { treeSize: string; origin?: string } }>(
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
            origin: ownLogOriginParam,
          },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['treeSize', 'items', 'origin'],
            properties: {
              origin: { type: 'string', description: 'the log read (its indices, its tree)' },
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
              otherLogs: otherLogsSchema,
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const treeSize = toUint(request.query.treeSize, 'treeSize');
      const { origin, log } = logOf(ctx, request.query.origin);
      if (treeSize < 1 || treeSize > log.size) {
        throw new GovfedError('ERR_INVALID_TREE_SIZE', `treeSize must be 1..${log.size} (${origin}), got ${treeSize}`);
      }
      const query = { ...toDecisionQuery(request.query, ctx.now()), below: treeSize };
      const result = await log.searchDecisions(query);
      const items = [];
      for (const d of result.items) {
        const [entry, raw, proof] = await Promise.all([
          log.entry(d.index),
          log.record(d.index),
          log.proveInclusion(d.index, treeSize),
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
      const others = otherLogs(ctx, origin);
      return {
        origin,
        treeSize,
        items,
        ...(result.next === undefined ? {} : { next: encodeCursor(result.next) }),
        ...(others.length === 0 ? {} : { otherLogs: others }),
      };
    },
  );
}
