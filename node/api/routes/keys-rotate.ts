/**
 * POST /v1/keys/rotate (admin) {key: "witness"} — rotate this node's witness key: a fresh key, proposed
 * as a charter change (this member's `witnessKey` replaced; the charter threshold and our own signature).
 * With a charter threshold of 1 it is taken at once and the node cosigns with the new key from then on;
 * otherwise it is a pending proposal that other members co-sign (node/federation/rotation.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { operationResult, requireFederation } from '../ports/federation.ts';
import { federationAdminOptions } from '../schemas/federation.ts';

export function keysRotateRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { key: 'witness' } }>(
    '/v1/keys/rotate',
    federationAdminOptions({
      summary: "Rotate this node's witness key (a charter change)",
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['key'],
        properties: { key: { type: 'string', enum: ['witness'], description: 'which key: only `witness` so far' } },
      },
    }),
    async () => {
      const port = requireFederation(ctx);
      return operationResult(port, await port.rotateWitnessKey());
    },
  );
}
