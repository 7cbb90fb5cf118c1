/**
 * POST /v1/keys/rotate (admin) {key: "witness" | "peer"} — rotate this node's witness or peer key: a
 * fresh key, proposed as a charter change (this member's `witnessKey` replaced, or its org seated under a
 * new peer id; the charter threshold, our own signature, and for a peer key the new key's too). With a
 * charter threshold of 1 it is taken at once; otherwise it is a pending proposal that other members
 * co-sign. A promoted peer key restarts the node in place (node/federation/rotation.ts).
 */
import type { FastifyInstance } from 'fastify';
import { ROTATABLE_KEYS, type RotatableKey } from '../../federation/rotation.ts';
import type { ApiContext } from '../context.ts';
import { operationResult, requireFederation } from '../ports/federation.ts';
import { federationAdminOptions } from '../schemas/federation.ts';

export function keysRotateRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { key: RotatableKey } }>(
    '/v1/keys/rotate',
    federationAdminOptions({
      summary: "Rotate this node's witness or peer key (a charter change)",
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['key'],
        properties: {
          key: {
            type: 'string',
            enum: [...ROTATABLE_KEYS],
            description: 'which key: `witness` (cosignatures) or `peer` (libp2p identity; the node restarts)',
          },
        },
      },
    }),
    async (req) => {
      const port = requireFederation(ctx);
      return operationResult(port, await port.rotateKey(req.body.key));
    },
  );
}
