/**
 * POST /v1/admin/fsck (role admin) — recompute the tree from the stored leaves and compare every stored
 * hash and the last checkpoint's root, for the current log and for every retired one (`retired`, each
 * with its origin: node/home/fsck-retired.ts); `ok` only when every log is intact. `govfed audit fsck`
 * uses it while the daemon runs.
 */
import type { FastifyInstance } from 'fastify';
import { fsckRetiredOpen, homeFsckReport } from '../../home/fsck-retired.ts';
import { FsckProblemCodes } from '../../log/index.ts';
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
            required: [...LOG_REPORT_REQUIRED, 'retired'],
            properties: {
              ...logReportProperties('the last checkpoint verifies and its root is the recomputed one'),
              ok: { type: 'boolean', description: 'true when no problem was found in any log' },
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

/** What the report says of one log (the current one, or each retired one). */
const LOG_REPORT_REQUIRED = [
  'ok',
  'size',
  'checkpointSize',
  'rootMatches',
  'storedHashesMatch',
  'checkpointsChecked',
  'problems',
  'findings',
] as const;

function logReportProperties(rootMatches: string) {
  return {
    ok: { type: 'boolean' },
    size: { type: 'integer', description: 'entries checked (the committed size)' },
    checkpointSize: { type: 'integer', description: 'size of the last kept checkpoint (-1: none)' },
    rootMatches: { type: 'boolean', description: rootMatches },
    storedHashesMatch: { type: 'boolean', description: 'every stored hash equals the recomputed one' },
    checkpointsChecked: { type: 'integer', description: 'kept checkpoints whose root was compared' },
    problems: { type: 'array', items: { type: 'string' } },
    findings: {
      type: 'array',
      description: 'the same problems, in the same order, each with its code (docs/errors.md, fsck problem codes)',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'message'],
        properties: { code: { type: 'string', enum: [...FsckProblemCodes] }, message: { type: 'string' } },
      },
    },
  } as const;
}

const retiredReportSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['origin', ...LOG_REPORT_REQUIRED],
  properties: {
    origin: { type: 'string', description: 'the retired log’s origin' },
    ...logReportProperties('its last checkpoint verifies with its own key and matches'),
    error: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'message'],
      description: 'why the log could not be checked at all (docs/errors.md)',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;
