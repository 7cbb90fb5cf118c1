/**
 * GET /checkpoint — the tlog-tiles checkpoint endpoint (c2sp.org/tlog-tiles): the same signed note as
 * GET /v1/log/checkpoint (the log's Ed25519 signature, then any witness cosignature lines), but public,
 * so tile clients, witnesses and monitors need no token. Mutable: `Cache-Control: no-cache`.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { errorResponses } from '../schemas/shared.ts';
import { latestCheckpointNote, NOTE_CONTENT_TYPE, noteResponse } from './checkpoint-get.ts';

export function tlogCheckpointRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/checkpoint',
    {
      config: { access: 'public' },
      schema: {
        summary: 'The latest signed checkpoint, for tlog-tiles clients (no token needed)',
        tags: ['tiles'],
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: { 200: noteResponse, ...errorResponses },
      },
    },
    async (_request, reply) => {
      reply.type(NOTE_CONTENT_TYPE).header('cache-control', 'no-cache');
      return latestCheckpointNote(ctx);
    },
  );
}
