/**
 * GET /v1/witness/logs (any token) and PUT /v1/witness/logs (admin) {logs: [VKEY…]} — the logs outside
 * the federation this node witnesses through POST /v1/witness/add-checkpoint (DIR/witness/logs.json).
 * Federation members' logs are always witnessed; they come from the charter.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { requireWitness } from '../ports/witness.ts';
import { errorResponses } from '../schemas/shared.ts';

const logsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['logs'],
  properties: {
    logs: {
      type: 'array',
      maxItems: 1000,
      items: { type: 'string', pattern: '^[\\x21-\\x7e]{1,512}$', description: 'a log’s C2SP verifier key (Ed25519)' },
    },
  },
} as const;

export function witnessLogsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/witness/logs',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Logs outside the federation this node witnesses',
        tags: ['witness'],
        security: [{ bearer: [] }],
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: { 200: logsSchema, ...errorResponses },
      },
    },
    async () => ({ logs: requireWitness(ctx).externalLogs() }),
  );
  app.put<{ Body: { logs: string[] } }>(
    '/v1/witness/logs',
    {
      config: { access: 'admin' },
      bodyLimit: 1 << 20,
      schema: {
        summary: 'Replace the list of logs outside the federation this node witnesses',
        tags: ['witness'],
        security: [{ bearer: [] }],
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        body: logsSchema,
        response: { 200: logsSchema, ...errorResponses },
      },
    },
    async (request) => ({ logs: await requireWitness(ctx).setExternalLogs(request.body.logs) }),
  );
}
