/**
 * GET /v1/log/checkpoints?from=N&limit=M — every checkpoint the node signed, oldest first, starting at
 * tree size N (any token). Page on with from = last size + 1.
 */
import type { FastifyInstance } from 'fastify';
import { NodeError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { errorResponses, toUint, uintString } from '../schemas/shared.ts';

export const DEFAULT_CHECKPOINT_PAGE = 100;
export const MAX_CHECKPOINT_PAGE = 1000;

export function checkpointsListRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { from?: string; limit?: string } }>(
    '/v1/log/checkpoints',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Signed checkpoints, oldest first',
        tags: ['log'],
        security: [{ bearer: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { ...uintString, description: 'smallest tree size to list (default 0)' },
            limit: {
              ...uintString,
              description: `page size, 1..${MAX_CHECKPOINT_PAGE} (default ${DEFAULT_CHECKPOINT_PAGE})`,
            },
          },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['checkpoints'],
            properties: {
              checkpoints: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['size', 'note'],
                  properties: { size: { type: 'integer', minimum: 0 }, note: { type: 'string' } },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const from = request.query.from === undefined ? 0 : toUint(request.query.from, 'from');
      const limit = request.query.limit === undefined ? DEFAULT_CHECKPOINT_PAGE : toUint(request.query.limit, 'limit');
      if (limit < 1 || limit > MAX_CHECKPOINT_PAGE) {
        throw new NodeError('ERR_VALIDATION', `querystring/limit must be 1..${MAX_CHECKPOINT_PAGE}`);
      }
      const checkpoints: { size: number; note: string }[] = [];
      for await (const c of ctx.log.checkpoints(from)) {
        checkpoints.push({ size: c.size, note: c.note });
        if (checkpoints.length >= limit) break;
      }
      return { checkpoints };
    },
  );
}
