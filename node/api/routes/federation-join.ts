/**
 * POST /v1/federation/join (admin) {invite} — join with an invite file's text: verify it, sign the
 * proposal admitting this node, and hand it to the bootstrap members. Answers the status and `handoff`:
 * how many of the invite's bootstrap members took the admission (0: none answered in time; the node
 * offers it again in its sync rounds).
 */
import type { FastifyInstance } from 'fastify';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { MAX_INVITE_BYTES } from '../../../protocol/federation/index.ts';
import type { ApiContext } from '../context.ts';
import { requireFederation } from '../ports/federation.ts';
import { federationAdminOptions, joinResultSchema } from '../schemas/federation.ts';

export function federationJoinRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { invite: string } }>(
    '/v1/federation/join',
    federationAdminOptions({
      summary: 'Join a federation with an invite',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['invite'],
        properties: { invite: { type: 'string', minLength: 2, maxLength: MAX_INVITE_BYTES } },
      },
      bodyLimit: MAX_INVITE_BYTES + 4096,
      response: joinResultSchema,
    }),
    async (request) => {
      const port = requireFederation(ctx);
      return await port.join(utf8(request.body.invite));
    },
  );
}
