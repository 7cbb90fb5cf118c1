/**
 * POST /v1/decisions (role ingest) — record one decision or a batch of up to 10,000.
 *
 * The body is attacker-controlled. Checklist, all before anything is appended (a request is atomic):
 * token (onRequest) → body ≤ 16 MiB, strict JSON (parser: no duplicate keys, no inexact numbers, no bidi
 * controls in keys) → ≤ 10,000 records (preValidation, 413) → schema (400) → every record ≤ 64 KiB as
 * canonical JSON, counted by a bounded counter that stops at the limit, before any record is evaluated or
 * canonicalised (413) → each record checked, evaluated against the policy's `decision` hook (global baseline + local
 * overlay, when the node runs a policy service), then sealed by protocol/audit (completed with
 * id/time/nonce, encoded, digested; the leaf records the policy version and the verdict: allowed, or
 * denied with the ids of the deny rules that fired) and ≤ 64 KiB encoded (413). Then one append; the
 * reply comes only once the batch is durable, and tells the caller each verdict.
 *
 * A denied decision is still logged: the log records what happened, and the reply says it was denied.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_RECORD_BYTES, type SealedDecision, sealDecision } from '../../../protocol/audit/decision.ts';
import { canonicalSizeWithin } from '../../../protocol/canonical/size.ts';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import { GovfedError, isGovfedError } from '../../../protocol/errors.ts';
import { NodeError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { base64, errorResponses, MAX_RECORDS_PER_REQUEST } from '../schemas.ts';
import { findingsSchema } from './policy-schemas.ts';

/** Largest request body. */
export const MAX_DECISIONS_BODY_BYTES = 16 * 1024 * 1024;

const record = { $ref: 'govfed.decisionInput#' } as const;

interface Finding {
  rule: string;
  message: string;
  scope: 'global' | 'local';
  error?: string;
}

/** What the reply tells the caller about one record's verdict (absent without a policy service). */
interface VerdictFields {
  allowed: boolean;
  deny: Finding[];
  warn: Finding[];
  policyVersion: number | null;
  expired?: boolean;
}

/**
 * Size before work: a record whose canonical JSON would pass MAX_RECORD_BYTES is refused before anything
 * evaluates, canonicalises or hashes it (the input is a lower bound of the sealed record, which only adds
 * fields). The count stops at the limit, so a 16 MiB record costs no more than a 64 KiB one.
 */
function checkRecordSize(input: unknown, where: string): void {
  if (canonicalSizeWithin(input, MAX_RECORD_BYTES) === undefined) {
    throw new NodeError(
      'ERR_RECORD_TOO_LARGE',
      `${where}: record is more than ${MAX_RECORD_BYTES} bytes as canonical JSON`,
    );
  }
}

function seal(
  input: unknown,
  where: string,
  ctx: ApiContext,
  now: Date,
): { sealed: SealedDecision; verdict?: VerdictFields } {
  let sealed: SealedDecision;
  let verdict: VerdictFields | undefined;
  try {
    if (ctx.policy === undefined) {
      sealed = sealDecision(input, { now, random: ctx.random });
    } else {
      // evaluate checks the record's fields first (the `decision` hook's input is checkDecisionInput's
      // record, ERR_INVALID_RECORD otherwise) and never throws for a rule: a deny rule that cannot evaluate
      // fires (fail closed). sealDecision checks again what only a record needs (output present, no nonce).
      verdict = ctx.policy.evaluate('decision', input);
      const deny = verdict.deny.map((f) => (f.scope === 'local' ? `local:${f.rule}` : f.rule));
      sealed = sealDecision(input, {
        now,
        random: ctx.random,
        policyVersion: verdict.policyVersion ?? 0,
        verdict: verdict.allowed ? { verdict: 'allowed' } : { verdict: 'denied', deny },
      });
    }
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
  return verdict === undefined ? { sealed } : { sealed, verdict };
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
                    allowed: { type: 'boolean', description: 'the policy verdict: false when a deny rule fired' },
                    deny: findingsSchema,
                    warn: findingsSchema,
                    policyVersion: { type: ['integer', 'null'], description: 'the baseline version evaluated' },
                    expired: { type: 'boolean', description: 'the baseline is past its expiry (still enforced)' },
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
      if (Array.isArray(body)) {
        for (const [i, x] of body.entries()) checkRecordSize(x, `body/${i}`);
      } else checkRecordSize(body, 'body');
      const now = ctx.now();
      const sealed = Array.isArray(body)
        ? body.map((x, i) => seal(x, `body/${i}`, ctx, now))
        : [seal(body, 'body', ctx, now)];
      const results = await ctx.log.append(
        sealed.map((s) => ({ leaf: s.sealed.leafBytes, record: s.sealed.recordBytes })),
      );
      ctx.metrics.decisionsIngested.inc(results.length);
      return {
        entries: results.map((r, i) => ({
          index: r.index,
          leafHash: toBase64(r.leafHash),
          ...sealed[i]?.verdict,
        })),
      };
    },
  );
}
