/**
 * Schemas of the kill switch in the registry routes (node/api/routes/models.ts; docs/contracts.md "The
 * kill switch"): a version's state, its records, and what posting a record answers.
 */
import { MAX_REVOCATION_ENVELOPE } from '../../../protocol/registry/revocation.ts';
import { envelopeSchema } from './policy.ts';
import { modelWithDigestSchema } from './shared.ts';

export const MAX_REVOCATION_BODY = MAX_REVOCATION_ENVELOPE + 1024;

export const killSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['state', 'by'],
  description: 'the kill switch: active, suspended (lapsing at `until` unless ratified) or revoked',
  properties: {
    state: { type: 'string', enum: ['active', 'suspended', 'revoked'] },
    since: { type: 'string' },
    until: { type: 'string', description: 'an unratified suspension lapses then' },
    ratified: { type: 'boolean' },
    by: { type: 'array', items: { type: 'string' }, description: 'org/name of the officers whose records count' },
    reason: { type: 'string', description: "the newest counting record's reason" },
    lapsedAt: { type: 'string' },
    reinstatedAt: { type: 'string', description: 'approvals signed before it no longer count' },
  },
} as const;

const signer = {
  type: 'object',
  additionalProperties: false,
  required: ['org', 'name', 'role'],
  properties: { org: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
} as const;

export const revocationsSchema = {
  type: 'array',
  description: "the kill switch's records that verified (suspend, revoke, reinstate)",
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'action', 'signer', 'reason', 'issuedAt', 'logIndex', 'envelope'],
    properties: {
      id: { type: 'string' },
      action: { type: 'string', enum: ['suspend', 'revoke', 'reinstate'] },
      signer,
      reason: { type: 'string' },
      issuedAt: { type: 'string' },
      logIndex: { type: 'integer' },
      envelope: envelopeSchema,
    },
  },
} as const;

export const revokedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'model', 'action', 'kill', 'logIndex'],
  properties: {
    id: { type: 'string', description: 'sha256 hex of the record statement' },
    model: modelWithDigestSchema,
    action: { type: 'string', enum: ['suspend', 'revoke', 'reinstate'] },
    kill: killSchema,
    status: { type: 'string', description: "the version's approval status now" },
    logIndex: { type: 'integer' },
  },
} as const;
