/**
 * POST /v1/federation/leave (admin) {} — leave the federation: this node's removal, complete with its
 * own signature, handed to the connected members; then the node departs (its network stops, its state
 * goes, `departed` in the status says from where). ERR_LAST_MEMBER for the only member.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { requireFederation } from '../ports/federation.ts';
import { federationAdminOptions } from '../schemas/federation.ts';

export function federationLeaveRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: Record<string, never> }>(
    '/v1/federation/leave',
    federationAdminOptions({
      summary: 'Leave the federation',
      body: { type: 'object', additionalProperties: false, maxProperties: 0 },
    }),
    async () => ({ status: await requireFederation(ctx).leave() }),
  );
}
