/**
 * GET /v1/federation/charters?from=&limit= (auditor) — the charter chain this node holds, as signed:
 * each version's envelope (the charter and its members' signatures) and digest, oldest first, from
 * version `from` (default 1), `limit` a page (1..100, default 100), `next` the version to ask from when
 * more follow. Anyone can verify the chain from the genesis with protocol/federation alone (its
 * SHA-256 is the federation id; each later version is signed by enough members of the one before) —
 * the console does, in the browser, and so checks policy receipts against a charter it verified.
 */
import type { FastifyInstance } from 'fastify';
import { NodeError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { requireFederation } from '../ports/federation.ts';
import { envelopeSchema } from '../schemas/policy.ts';
import { errorResponses } from '../schemas/shared.ts';

export const MAX_CHARTERS_LIMIT = 100;

const query = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', pattern: '^[1-9][0-9]{0,8}$', description: 'the first version (default 1)' },
    limit: {
      type: 'string',
      pattern: '^[1-9][0-9]{0,2}$',
      description: `versions a page, 1..${MAX_CHARTERS_LIMIT} (default ${MAX_CHARTERS_LIMIT})`,
    },
  },
} as const;

const response = {
  type: 'object',
  additionalProperties: false,
  required: ['federationId', 'version', 'charters'],
  properties: {
    federationId: { type: 'string', description: 'hex SHA-256 of the genesis charter' },
    version: { type: 'integer', description: 'the newest version this node holds' },
    charters: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['version', 'digest', 'envelope'],
        properties: {
          version: { type: 'integer' },
          digest: { type: 'string', description: 'sha256: of the canonical charter bytes' },
          envelope: envelopeSchema,
        },
      },
    },
    next: { type: 'integer', description: 'present when more versions follow: pass it as `from`' },
  },
} as const;

export function federationChartersRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { from?: string; limit?: string } }>(
    '/v1/federation/charters',
    {
      config: { access: 'auditor' },
      schema: {
        summary: 'The charter chain as signed, oldest first (auditors only)',
        tags: ['federation'],
        security: [{ bearer: [] }],
        querystring: query,
        response: { 200: response, ...errorResponses },
      },
    },
    async (req, reply) => {
      const limit = req.query.limit === undefined ? MAX_CHARTERS_LIMIT : Number(req.query.limit);
      if (limit > MAX_CHARTERS_LIMIT) throw new NodeError('ERR_VALIDATION', `limit must be 1..${MAX_CHARTERS_LIMIT}`);
      const from = req.query.from === undefined ? 1 : Number(req.query.from);
      const chain = requireFederation(ctx).chain;
      if (chain === undefined) throw new NodeError('ERR_NO_FEDERATION', 'this node is not in a federation');
      const all = chain.versions();
      const page = all.slice(from - 1, from - 1 + limit);
      reply.header('cache-control', 'no-store');
      return {
        federationId: chain.federationId,
        version: chain.version,
        charters: page.map((e) => ({ version: e.version, digest: e.digest, envelope: e.envelope })),
        ...(from - 1 + limit < all.length ? { next: from + limit } : {}),
      };
    },
  );
}
