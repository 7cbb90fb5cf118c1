/**
 * POST /v1/admin/fsck (role admin) — recompute the tree from the stored leaves and compare every stored
 * hash and the last checkpoint's root, for the current log and for every retired one (`retired`, each
 * with its origin: node/home/fsck-retired.ts); `ok` only when every log is intact. `govfed audit fsck`
 * uses it while the daemon runs.
 */
import type { FastifyInstance } from 'fastify';
import { fsckRetiredOpen, homeFsckReport } from '../../home/fsck-retired.ts';
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
              'retired',
            ],
            properties: {
              ok: { type: 'boolean', description: 'true when no problem was found in any log' },
              size: { type: 'integer', description: 'entries checked (the committed size)' },
              checkpointSize: { type: 'integer', description: 'size of the last kept checkpoint (-1: none)' },
              rootMatches: {
                type: 'boolean',
                description: 'the last checkpoint verifies and its root is the recomputed one',
              },
              storedHashesMatch: { type: 'boolean', description: 'every stored hash equals the recomputed one' },
              checkpointsChecked: { type: 'integer', description: 'kept checkpoints whose root was compared' },
              problems: { type: 'array', items: { type: 'string' } },
              retired: {
                type: 'array',
                description: 'the same checks of every retired log (config.json retiredLogs), oldest first',
                items: retiredReportSchema,
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async () => homeFsckReport(await ctx.log.fsck(), await fsckRetiredOpen(ctx.home, ctx.retiredLogs ?? new Map())),
  );
}

const retiredReportSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'origin',
    'ok',
    'size',
    'checkpointSize',
    'rootMatches',
    'storedHashesMatch',
    'checkpointsChecked',
    'problems',
  ],
  properties: {
    origin: { type: 'string', description: 'the retired log’s origin' },
    ok: { type: 'boolean' },
    size: { type: 'integer' },
    checkpointSize: { type: 'integer' },
    rootMatches: { type: 'boolean', description: 'its last checkpoint verifies with its own key and matches' },
    storedHashesMatch: { type: 'boolean' },
    checkpointsChecked: { type: 'integer' },
    problems: { type: 'array', items: { type: 'string' } },
    error: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'message'],
      description: 'why the log could not be checked at all (docs/errors.md)',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;
