/**
 * GET /v1/policy/status (any token) — this node's baseline and, for every member, the version it applied
 * with its signed receipt {org, version, bundleHash, logIndex}: the proof that every environment runs the
 * same baseline. Also pending proposals, forks seen and rejections by code.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { requirePolicy } from '../ports/policy.ts';
import { emptyQuery, envelopeSchema, proposalViewSchema } from '../schemas/policy.ts';
import { errorResponses } from '../schemas/shared.ts';

export const policyStatusSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['federated', 'self', 'members', 'pending', 'forks', 'rejected'],
  properties: {
    federated: { type: 'boolean' },
    self: {
      type: 'object',
      additionalProperties: false,
      required: [
        'org',
        'peerId',
        'version',
        'digest',
        'expiresAt',
        'expired',
        'appliedAt',
        'logIndex',
        'localVersion',
        'localRules',
      ],
      properties: {
        org: { type: 'string' },
        peerId: { type: 'string' },
        version: { type: 'integer' },
        digest: { type: ['string', 'null'] },
        expiresAt: { type: ['string', 'null'] },
        expired: { type: 'boolean' },
        appliedAt: { type: ['string', 'null'], description: 'when this node applied it (since start)' },
        logIndex: { type: ['integer', 'null'], description: 'index of the policy.bundle event in the audit log' },
        localVersion: { type: 'integer' },
        localRules: { type: 'integer' },
      },
    },
    members: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['org', 'peerId', 'self', 'version', 'bundleHash', 'receipt'],
        properties: {
          org: { type: 'string' },
          peerId: { type: 'string' },
          self: { type: 'boolean' },
          version: { type: ['integer', 'null'], description: 'the version its newest receipt names' },
          bundleHash: { type: ['string', 'null'] },
          receipt: { anyOf: [envelopeSchema, { type: 'null' }], description: 'the member’s signed receipt' },
        },
      },
    },
    pending: { type: 'array', items: proposalViewSchema },
    forks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['version', 'digest', 'signedBy'],
        properties: {
          version: { type: 'integer' },
          digest: { type: 'string' },
          signedBy: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    rejected: { type: 'object', additionalProperties: { type: 'integer' }, description: 'rejections by code' },
  },
} as const;

export function policyStatusRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/policy/status',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Which member runs which baseline, with receipts',
        tags: ['policy'],
        security: [{ bearer: [] }],
        querystring: emptyQuery,
        response: { 200: policyStatusSchema, ...errorResponses },
      },
    },
    async () => requirePolicy(ctx).policyStatus(),
  );
}
