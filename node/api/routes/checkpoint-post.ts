/**
 * POST /v1/log/checkpoint (role admin) — sign a checkpoint now if the tree grew since the last one, and
 * return the latest. `govfed audit prove` uses it to get a checkpoint covering a fresh entry at once.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { defaultEmptyBody, emptyBodySchema, errorResponses } from '../schemas/shared.ts';
import { NOTE_CONTENT_TYPE, noteResponse } from './checkpoint-get.ts';

export function checkpointPostRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post(
    '/v1/log/checkpoint',
    {
      config: { access: 'admin' },
      bodyLimit: 1024,
      preValidation: defaultEmptyBody,
      schema: {
        summary: 'Sign a checkpoint now (if the log grew) and return the latest',
        tags: ['log'],
        security: [{ bearer: [] }],
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        body: emptyBodySchema,
        response: { 200: noteResponse, ...errorResponses },
      },
    },
    async (_request, reply) => {
      const cp = await ctx.log.checkpointNow();
      reply.type(NOTE_CONTENT_TYPE).header('cache-control', 'no-store');
      return cp.note;
    },
  );
}
