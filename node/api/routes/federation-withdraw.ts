/**
 * POST /v1/federation/proposals/withdraw (admin) {id} — take back this node's signature from a pending
 * charter change (its id, or a unique part of it): a signed withdrawal, logged and gossiped; our copy
 * without a member's signature left is dropped, and this node may sign another change for that version.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { requireFederation } from '../ports/federation.ts';
import { federationAdminOptions } from '../schemas/federation.ts';

export function federationWithdrawRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { id: string } }>(
    '/v1/federation/proposals/withdraw',
    federationAdminOptions({
      summary: 'Withdraw this node’s signature from a pending charter change',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: { id: { type: 'string', minLength: 8, maxLength: 71, pattern: '^(sha256:)?[0-9a-f]+$' } },
      },
    }),
    async (request) => ({ status: await requireFederation(ctx).withdraw(request.body.id) }),
  );
}
