/**
 * POST /v1/federation/proposals/sign (admin) {id} | {envelope} — co-sign a pending charter change, named
 * by its id (the proposed charter's digest, or a unique part of it) or given as a charter envelope.
 */
import type { FastifyInstance } from 'fastify';
import type { Envelope } from '../../../protocol/federation/index.ts';
import type { ApiContext } from '../context.ts';
import { operationResult, requireFederation } from '../ports/federation.ts';
import { federationAdminOptions } from '../schemas/federation.ts';

export function federationSignRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { id?: string; envelope?: Envelope } }>(
    '/v1/federation/proposals/sign',
    federationAdminOptions({
      summary: 'Co-sign a pending charter change',
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        maxProperties: 1,
        properties: {
          id: { type: 'string', minLength: 8, maxLength: 71, pattern: '^(sha256:)?[0-9a-f]+$' },
          envelope: {
            type: 'object',
            required: ['payloadType', 'payload', 'signatures'],
            properties: {
              payloadType: { type: 'string' },
              payload: { type: 'string' },
              signatures: { type: 'array', maxItems: 512 },
            },
          },
        },
      },
      bodyLimit: 1 << 20,
    }),
    async (request) => {
      const port = requireFederation(ctx);
      const ref = request.body.id ?? (request.body.envelope as Envelope);
      return operationResult(port, await port.sign(ref));
    },
  );
}
