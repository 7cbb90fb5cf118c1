/**
 * POST /v1/admin/fsck (role admin) — recompute the tree from the stored leaves and compare every stored
 * hash and the last checkpoint's root. `govfed audit fsck` uses it while the daemon runs.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { defaultEmptyBody, emptyBodySchema, errorResponses } from '../schemas/shared.ts';

export function adminFsckRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post(
    '/v1/admin/fsck',
    {
      config: { access: 'admin' },
      bodyLimit: 1024,
      preValidation: defaultEmptyBody,
      schema: {
        summary: 'Check the stored log against its leaves and last checkpoint',
        tags: ['admin'],
        security: [{ bearer: [] }],
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        body: emptyBodySchema,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: [
              'ok',
              'size',
              'checkpointSize',
              'rootMatches',
              'storedHashesMatch',
              'checkpointsChecked',
              'problems',
            ],
            properties: {
              ok: { type: 'boolean', description: 'true when no problem was found' },
              size: { type: 'integer', description: 'entries checked (the committed size)' },
              checkpointSize: { type: 'integer', description: 'size of the last kept checkpoint (-1: none)' },
              rootMatches: {
                type: 'boolean',
                description: 'the last checkpoint verifies and its root is the recomputed one',
              },
              storedHashesMatch: { type: 'boolean', description: 'every stored hash equals the recomputed one' },
              checkpointsChecked: { type: 'integer', description: 'kept checkpoints whose root was compared' },
              problems: { type: 'array', items: { type: 'string' } },
            },
          },
          ...errorResponses,
        },
      },
    },
    async () => ctx.log.fsck(),
  );
}
