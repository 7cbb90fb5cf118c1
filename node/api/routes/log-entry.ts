/**
 * GET /v1/log/entries/{index} — the exact leaf bytes of entry `index` (any token), so that the RFC 6962
 * leaf hash is SHA-256(0x00 || body). Entries never change, so clients may cache them.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { errorResponses, toUint, uintString } from '../schemas/shared.ts';

export function logEntryRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { index: string } }>(
    '/v1/log/entries/:index',
    {
      config: { access: 'any' },
      schema: {
        summary: 'The leaf bytes of one log entry',
        tags: ['log'],
        security: [{ bearer: [] }],
        params: { type: 'object', additionalProperties: false, required: ['index'], properties: { index: uintString } },
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: {
          200: {
            description: 'the leaf: RFC 8785 canonical JSON, served as bytes',
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const entry = await ctx.log.entry(toUint(request.params.index, 'index'));
      reply.type('application/octet-stream').header('cache-control', 'private, max-age=31536000, immutable');
      return Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength);
    },
  );
}
