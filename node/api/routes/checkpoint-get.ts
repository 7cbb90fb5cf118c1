/**
 * GET /v1/log/checkpoint[?origin=O] — the latest signed checkpoint, a C2SP signed note, as text/plain (any
 * token), with the witnesses' cosignature lines collected so far appended (c2sp.org/tlog-cosignature), as
 * C2SP logs serve them. `origin` names the log (log-of.ts): this node's current one (the default), or one
 * it retired (`keys rotate --log`), whose final checkpoint is served as the log signed it (its
 * cosignatures are the witnesses' and the cross-org proofs'); what `govfed decisions export --origin`
 * proves a retired log's decisions against.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { logOf } from '../log-of.ts';
import { ownLogOriginParam } from '../schemas/proofs-crossorg.ts';
import { errorResponses } from '../schemas/shared.ts';

export const NOTE_CONTENT_TYPE = 'text/plain; charset=utf-8';

export const noteResponse = {
  description:
    'a C2SP signed note (c2sp.org/tlog-checkpoint): origin, tree size, base64 root hash, the log signature, then witness cosignatures',
  content: { 'text/plain': { schema: { type: 'string' } } },
} as const;

/** The latest signed checkpoint note with the cosignatures collected so far (also served at /checkpoint). */
export function latestCheckpointNote(ctx: ApiContext): string {
  // A follower of a shared log runs no witness service: the leader's note as stored, without cosignatures.
  if (ctx.follower?.following() === true) return ctx.log.checkpoint().note;
  return ctx.witness?.checkpointWithCosignatures() ?? ctx.log.checkpoint().note;
}

export function checkpointGetRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { origin?: string } }>(
    '/v1/log/checkpoint',
    {
      config: { access: 'any' },
      schema: {
        summary: 'The latest signed checkpoint',
        tags: ['log'],
        security: [{ bearer: [] }],
        querystring: { type: 'object', additionalProperties: false, properties: { origin: ownLogOriginParam } },
        response: { 200: noteResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { origin, log } = logOf(ctx, request.query.origin);
      const note = origin === ctx.home.config.origin ? latestCheckpointNote(ctx) : log.checkpoint().note;
      reply.type(NOTE_CONTENT_TYPE).header('cache-control', 'no-cache');
      return note;
    },
  );
}
