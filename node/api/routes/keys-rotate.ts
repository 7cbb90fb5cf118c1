/**
 * POST /v1/keys/rotate (admin) {key: "witness" | "peer" | "log"} — rotate this node's witness, peer or
 * log key: a fresh key, proposed as a charter change (this member's `witnessKey` replaced; its org seated
 * under a new peer id; or its `logKey` replaced and the old one moved to `retiredLogKeys`; the charter
 * threshold, our own signature, and for a peer key the new key's too). With a charter threshold of 1 it
 * is taken at once; otherwise it is a pending proposal that other members co-sign. A promoted peer or log
 * key restarts the node in place (node/federation/rotation.ts, log-rotation.ts).
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
      summary: "Rotate this node's witness, peer or log key (a charter change)",
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['key'],
        properties: {
          key: {
            type: 'string',
            enum: [...ROTATABLE_KEYS],
            description:
              'which key: `witness` (cosignatures), `peer` (libp2p identity; the node restarts) or `log` (a new log ' +
              'with a new origin; the old log stays provable under the old key; the node restarts)',
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
