/**
 * POST /v1/federation/members/remove (admin) {org} — propose removing a member (rule `removal`: the
 * admission threshold of signatures; thresholds lowered only as far as the smaller member count needs).
 * Completed at once when this node's signature meets it; else left pending for others to co-sign. Our
 * own org is the same as POST /v1/federation/leave.
 */
import type { FastifyInstance } from 'fastify';
import { ORG_PATTERN } from '../../../protocol/federation/index.ts';
import type { ApiContext } from '../context.ts';
import { operationResult, requireFederation } from '../ports/federation.ts';
import { federationAdminOptions } from '../schemas/federation.ts';

export function federationRemoveRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { org: string } }>(
    '/v1/federation/members/remove',
    federationAdminOptions({
      summary: 'Propose removing a member (a charter change at the admission threshold)',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['org'],
        properties: { org: { type: 'string', pattern: ORG_PATTERN } },
      },
    }),
    async (request) => {
      const port = requireFederation(ctx);
      return operationResult(port, await port.remove(request.body.org));
    },
  );
}
