/**
 * POST /v1/tokens (role admin) {role} — create an API token. The reply is the only place the token
 * appears; tokens.json keeps its hash — or, on a home whose log is in PostgreSQL, the database's token list,
 * which every process of the org reads (node/home/pg-tokens.ts); only the lease holder mints there.
 * (The CLI's `govfed token create` writes tokens.json directly.)
 */
import type { FastifyInstance } from 'fastify';
import { ROLES, type Role } from '../../home/tokens.ts';
import type { ApiContext } from '../context.ts';
import { errorResponses } from '../schemas/shared.ts';

export function tokensPostRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { role: Role } }>(
    '/v1/tokens',
    {
      config: { access: 'admin' },
      bodyLimit: 1024,
      schema: {
        summary: 'Create an API token',
        tags: ['admin'],
        security: [{ bearer: [] }],
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['role'],
          properties: { role: { type: 'string', enum: [...ROLES] } },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['token', 'role', 'id'],
            properties: {
              token: { type: 'string', description: 'shown once; send as Authorization: Bearer <token>' },
              role: { type: 'string', enum: [...ROLES] },
              id: { type: 'string' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const made = await ctx.tokens.create(request.body.role); // ERR_NOT_LEADER on a follower (PostgreSQL)
      ctx.events('token:created', { id: made.id, role: made.role });
      reply.header('cache-control', 'no-store');
      return made;
    },
  );
}
