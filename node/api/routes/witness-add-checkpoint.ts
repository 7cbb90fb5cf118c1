/**
 * POST /v1/witness/add-checkpoint — c2sp.org/tlog-witness: this node as a witness, for federation
 * members and for the logs listed in DIR/witness/logs.json (PUT /v1/witness/logs).
 *
 * Public (the spec authenticates nothing but the checkpoint's signature). The body (text/plain,
 * attacker-controlled, at most MAX_ADD_CHECKPOINT_BYTES) is read raw: this route has no other
 * content-type parser, so JSON or anything else is 415 ERR_UNSUPPORTED_MEDIA_TYPE before a byte of it is
 * read, and the handler only ever sees a Buffer (or nothing, for an empty body). The body is `old
 * <size>`, proof lines, an empty line and the signed checkpoint; protocol/witness decides. Statuses, as the spec defines them: 200 with the
 * cosignature line(s); 400 malformed or old size > checkpoint size; 403 no valid signature by a trusted
 * key; 404 unknown origin; 409 old size is not the cosigned size (body: that size, content type
 * text/x.tlog.size), or same size with another root; 422 the consistency proof fails. A log caught
 * equivocating is refused with 409 ERR_EQUIVOCATION.
 */
import type { FastifyInstance } from 'fastify';
import {
  COSIGNATURE_CONTENT_TYPE,
  formatSizeBody,
  MAX_ADD_CHECKPOINT_BYTES,
  SIZE_CONTENT_TYPE,
} from '../../../protocol/witness/request.ts';
import { WitnessError } from '../../../protocol/witness/witness.ts';
import type { ApiContext } from '../context.ts';
import { errorBody } from '../errors.ts';
import { requireWitness } from '../ports/witness.ts';
import { errorResponses } from '../schemas/shared.ts';

export function witnessAddCheckpointRoute(app: FastifyInstance, ctx: ApiContext): void {
  void app.register(async (child) => {
    // Only the raw text/plain body: the JSON parser inherited from the app would hand the handler an
    // attacker-built object (`{"buffer": {"length": 1e8}}`).
    child.removeAllContentTypeParsers();
    child.addContentTypeParser(
      'text/plain',
      { parseAs: 'buffer', bodyLimit: MAX_ADD_CHECKPOINT_BYTES },
      (_req, body, done) => {
        done(null, body);
      },
    );
    child.post<{ Body: Buffer | undefined }>(
      '/v1/witness/add-checkpoint',
      {
        config: { access: 'public' },
        bodyLimit: MAX_ADD_CHECKPOINT_BYTES,
        schema: {
          summary: 'tlog-witness add-checkpoint: cosign a checkpoint consistent with the last one cosigned',
          tags: ['witness'],
          querystring: { type: 'object', additionalProperties: false, properties: {} },
          body: {
            content: {
              'text/plain': {
                schema: {
                  description:
                    'old size line, consistency proof lines, an empty line, the signed checkpoint (c2sp.org/tlog-witness)',
                },
              },
            },
          },
          response: {
            200: {
              description: 'the cosignature line(s) (c2sp.org/tlog-cosignature)',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            409: {
              description:
                'old size is not the size last cosigned: body is that size and a newline (text/x.tlog.size); or a conflicting root / equivocating log (JSON error)',
              content: {
                'text/x.tlog.size': { schema: { type: 'string' } },
                'application/json': { schema: { $ref: 'govfed.error#' } },
              },
            },
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const witness = requireWitness(ctx);
        const body = request.body;
        // An empty body (no content type, no length) arrives as undefined: malformed, judged as 0 bytes.
        const bytes = Buffer.isBuffer(body)
          ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
          : new Uint8Array(0);
        try {
          const lines = await witness.addCheckpoint(bytes);
          reply.type(COSIGNATURE_CONTENT_TYPE).header('cache-control', 'no-store');
          return lines;
        } catch (err) {
          if (!(err instanceof WitnessError)) throw err;
          if (err.code === 'ERR_OLD_SIZE_MISMATCH' && err.recordedSize !== undefined) {
            return reply.code(409).type(SIZE_CONTENT_TYPE).send(formatSizeBody(err.recordedSize));
          }
          return reply.code(err.status).type('application/json; charset=utf-8').send(errorBody(err.code, err.message));
        }
      },
    );
  });
}
