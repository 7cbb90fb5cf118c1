/**
 * POST /v1/decisions (role ingest) — record one decision or a batch of up to 10,000.
 *
 * The body is attacker-controlled. Checklist, all before anything is appended (a request is atomic):
 * token (onRequest) → body ≤ 16 MiB, JSON (parser) → ≤ 10,000 records (preValidation, 413) → schema
 * (400) → each record sealed by protocol/audit (checked again, completed with id/time/nonce, encoded,
 * digested) and ≤ 64 KiB encoded (413). Then one append; the reply comes only once the batch is durable.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_RECORD_BYTES, type SealedDecision, sealDecision } from '../../../protocol/audit/decision.ts';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import { GovfedError, isGovfedError } from '../../../protocol/errors.ts';
import { NodeError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { base64, errorResponses, MAX_RECORDS_PER_REQUEST } from '../schemas.ts';

/** Largest request body. */
export const MAX_DECISIONS_BODY_BYTES = 16 * 1024 * 1024;

const record = { $ref: 'govfed.decisionInput#' } as const;

function seal(input: unknown, where: string, ctx: ApiContext, now: Date): SealedDecision {
  let sealed: SealedDecision;
  try {
    sealed = sealDecision(input, { now, random: ctx.random });
  } catch (cause) {
    if (isGovfedError(cause)) throw new GovfedError(cause.code, `${where}: ${cause.message}`, { cause });
    // sealDecision is a pure function of the input, so anything it throws is about the input (e.g. the
    // canonicalize library's plain Error for a lone surrogate): a 400, never a 500.
    throw new GovfedError('ERR_INVALID_RECORD', `${where}: cannot be encoded as canonical JSON`, { cause });
  }
  if (sealed.recordBytes.length > MAX_RECORD_BYTES) {
    throw new NodeError(
      'ERR_RECORD_TOO_LARGE',
      `${where}: record is ${sealed.recordBytes.length} bytes as canonical JSON, more than ${MAX_RECORD_BYTES}`,
    );
  }
  return sealed;
}

export function decisionsPostRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post(
    '/v1/decisions',
    {
      bodyLimit: MAX_DECISIONS_BODY_BYTES,
      config: { access: 'ingest' },
      preValidation: async (request) => {
        const body = request.body;
        if (Array.isArray(body) && body.length > MAX_RECORDS_PER_REQUEST) {
          throw new NodeError(
            'ERR_TOO_MANY_RECORDS',
            `body has ${body.length} records, at most ${MAX_RECORDS_PER_REQUEST} per request`,
          );
        }
      },
      schema: {
        summary: 'Record decisions in the audit log',
        description:
          'One decision record or an array of 1..10,000. Replies only after every entry is durable. ' +
          'Nothing is appended when any record is rejected.',
        tags: ['decisions'],
        security: [{ bearer: [] }],
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        body: {
          if: { type: 'array' },
          // biome-ignore lint/suspicious/noThenProperty: the JSON Schema if/then/else keyword
          then: { type: 'array', minItems: 1, maxItems: MAX_RECORDS_PER_REQUEST, items: record },
          else: record,
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['entries'],
            properties: {
              entries: {
                type: 'array',
                description: 'one per record, in request order',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['index', 'leafHash'],
                  properties: {
                    index: { type: 'integer', minimum: 0 },
                    leafHash: { ...base64, description: 'SHA-256(0x00 || leaf bytes)' },
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const body = request.body;
      const now = ctx.now();
      const sealed = Array.isArray(body)
        ? body.map((x, i) => seal(x, `body/${i}`, ctx, now))
        : [seal(body, 'body', ctx, now)];
      const results = await ctx.log.append(sealed.map((s) => ({ leaf: s.leafBytes, record: s.recordBytes })));
      ctx.metrics.decisionsIngested.inc(results.length);
      return { entries: results.map((r) => ({ index: r.index, leafHash: toBase64(r.leafHash) })) };
    },
  );
}
