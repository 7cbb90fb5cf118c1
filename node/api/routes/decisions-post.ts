/**
 * POST /v1/decisions (role ingest) — record one decision or a batch of up to 10,000.
 *
 * The body is attacker-controlled. Checklist, all before anything is appended (a request is atomic):
 * token (onRequest) → body ≤ 16 MiB, strict JSON (parser: no duplicate keys, no inexact numbers, no bidi
 * controls in keys) → ≤ 10,000 records (preValidation, 413) → schema (400) → node/decisions'
 * DecisionRecorder: every record ≤ 64 KiB before any work (413), each checked once, evaluated against the
 * policy's `decision` hook when the node runs a policy service, sealed, then one append. The reply comes
 * only once the batch is durable, and tells the caller each verdict.
 *
 * A denied decision is still logged: the log records what happened, and the reply says it was denied.
 */
import type { FastifyInstance } from 'fastify';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import { compileLikeFastify } from '../../decisions/body.ts';
import { DecisionRecorder, type RecordedDecision } from '../../decisions/index.ts';
import { NodeError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import type { ModelsPort } from '../ports/models.ts';
import { findingsSchema } from '../schemas/policy.ts';
import { base64, decisionsBodySchema, emptyQuery, errorResponses, MAX_RECORDS_PER_REQUEST } from '../schemas/shared.ts';

/** Largest request body. */
export const MAX_DECISIONS_BODY_BYTES = 16 * 1024 * 1024;

export function decisionsPostRoute(app: FastifyInstance, ctx: ApiContext): void {
  const recorder = new DecisionRecorder({
    log: ctx.log,
    policy: ctx.policy,
    models: ctx.models === undefined ? undefined : { resolve: (ref) => (ctx.models as ModelsPort).resolve(ref) },
    jurisdiction: ctx.home.config.jurisdiction,
    org: ctx.home.config.org,
    revocationAgeMs: () => ctx.freshness?.revocationAgeMs?.() ?? 0,
    now: ctx.now,
    random: ctx.random,
    onRecorded: (n) => {
      ctx.metrics.decisionsIngested.inc(n);
      ctx.live.publish('decision', { count: n });
    },
    onObserved: (o) => ctx.monitoring?.observe(o),
    onCounted: (t, end) => ctx.report?.counted(t, end),
  });
  const schema = {
    summary: 'Record decisions in the audit log',
    description:
      'One decision record or an array of 1..10,000. Replies only after every entry is durable. ' +
      'Nothing is appended when any record is rejected. A request whose answer is lost (connection dropped, ' +
      'timed out) may have been recorded, all of it or none: the node does not de-duplicate, so give records ' +
      'a decisionId and look one up (GET /v1/log/lookup?decisionId=…) before sending the request again.',
    tags: ['decisions'],
    security: [{ bearer: [] }],
    querystring: emptyQuery,
    body: decisionsBodySchema,
    response: { 200: replySchema, ...errorResponses },
  };
  const ingest = ctx.ingest;
  if (ingest !== undefined) {
    // Worker threads parse, check and seal (node/decisions/pool.ts): the route takes the raw body, and the
    // workers run the same strict parser, record limit and schema (node/decisions/body.ts) off this thread.
    app.register(async (scope) => {
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
        done(null, new RawBody(body as Buffer));
      });
      scope.post(
        '/v1/decisions',
        {
          bodyLimit: MAX_DECISIONS_BODY_BYTES,
          config: { access: 'ingest' },
          schema,
          validatorCompiler: ({ httpPart, schema: s }) => (httpPart === 'body' ? () => true : compileLikeFastify(s)),
        },
        async (request, response) => {
          const body = request.body;
          if (!(body instanceof RawBody)) throw new NodeError('ERR_INVALID_JSON', 'expected a JSON body');
          const answer = await ingest.record(body.bytes);
          ctx.live.publish('decision', { count: answer.count });
          // Already JSON, as the response schema writes it (node/decisions/reply.ts): sent as is.
          response.type('application/json; charset=utf-8');
          return answer.json;
        },
      );
    });
    return;
  }
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
      schema,
    },
    async (request) => {
      const body = request.body;
      const inputs = Array.isArray(body)
        ? body.map((input, i) => ({ input, where: `body/${i}` }))
        : [{ input: body, where: 'body' }];
      return answerOf(await recorder.record(inputs));
    },
  );
}

/** The 200 answer for recorded decisions (serialised by fastify with replySchema). */
export function answerOf(recorded: readonly RecordedDecision[]) {
  return {
    entries: recorded.map((r) => ({
      index: r.index,
      leafHash: toBase64(r.leafHash),
      ...r.verdict,
      ...(r.model === undefined || r.model.flags.length === 0 ? {} : { flags: r.model.flags }),
    })),
  };
}

/** A raw request body, as the worker path's content-type parser hands it on. */
class RawBody {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
}

/** The 200 answer's schema (node/decisions/reply.ts writes the same JSON on the worker path). */
export const replySchema = {
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
          flags: {
            type: 'array',
            items: { type: 'string' },
            description:
              'flags raised (absent: none), e.g. shadow_ai: the model is not an approved version in the registry',
          },
        },
      },
    },
  },
} as const;
