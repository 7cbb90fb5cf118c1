/**
 * Schemas of the model registry routes (node/api/routes/models.ts). Requests carry a person's signed
 * DSSE envelope (checked in full by node/registry); responses list exactly what a client sees.
 */
import { SHA256_DIGEST_PATTERN } from '../../../protocol/audit/fields.ts';
import { RISK_TIERS } from '../../../protocol/federation/approval-rules.ts';
import { MAX_APPROVAL_ENVELOPE, MAX_REGISTRATION_ENVELOPE } from '../../../protocol/registry/model-sync.ts';
import { contractRefProperties, contractRefSchema, contractSchema } from './contracts.ts';
import { killSchema, revocationsSchema } from './kill-switch.ts';
import { monitoringSummarySchema } from './monitoring.ts';
import { envelopeSchema } from './policy.ts';
import { modelWithDigestSchema } from './shared.ts';

export const MODEL_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$';
export const ORG_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
export const MODEL_STATUSES = ['pending', 'approved', 'rejected'] as const;

/** Largest request bodies: one envelope and its JSON wrapping. */
export const MAX_REGISTER_BODY = MAX_REGISTRATION_ENVELOPE + 1024;
export const MAX_APPROVE_BODY = MAX_APPROVAL_ENVELOPE + 1024;

export const registerBody = {
  type: 'object',
  additionalProperties: false,
  required: ['envelope'],
  properties: {
    envelope: { type: 'object', description: 'the registration, a DSSE envelope signed by the submitter' },
    contract: {
      type: 'object',
      description: "the model's contract (version 1), a DSSE envelope signed by a person of this org",
    },
  },
} as const;

export const envelopeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['envelope'],
  properties: { envelope: { type: 'object', description: 'a DSSE envelope signed by the person' } },
} as const;

export const modelParams = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version'],
  properties: {
    name: { type: 'string', pattern: MODEL_NAME_PATTERN },
    version: { type: 'string', pattern: MODEL_NAME_PATTERN },
  },
} as const;

export const orgQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    org: { type: 'string', pattern: ORG_PATTERN, description: 'the org that registered it (needed when several did)' },
  },
} as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    org: { type: 'string', pattern: ORG_PATTERN },
    name: { type: 'string', pattern: MODEL_NAME_PATTERN },
    status: { type: 'string', enum: [...MODEL_STATUSES] },
    tier: { type: 'string', enum: [...RISK_TIERS] },
  },
} as const;

const risk = {
  type: 'object',
  additionalProperties: false,
  required: ['score', 'tier', 'hits', 'policyVersion', 'policyDigest'],
  properties: {
    score: { type: 'integer' },
    tier: { type: 'string' },
    hits: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'points'],
        properties: { rule: { type: 'string' }, points: { type: 'integer' } },
      },
    },
    policyVersion: { type: 'integer' },
    policyDigest: { type: 'string' },
  },
} as const;

const person = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role'],
  properties: { org: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
} as const;

const summaryProperties = {
  org: { type: 'string' },
  name: { type: 'string' },
  version: { type: 'string' },
  digest: { type: 'string', pattern: SHA256_DIGEST_PATTERN },
  assurance: { type: 'string', enum: ['files', 'opaque'] },
  status: { type: 'string', enum: [...MODEL_STATUSES] },
  risk,
  euAiActCategory: { type: ['string', 'null'], description: "the card's EU AI Act category (null: no card)" },
  submitter: person,
  registeredAt: { type: 'string' },
  id: { type: 'string', description: 'sha256 hex of the registration statement' },
  logIndex: { type: 'integer', description: "the registration's entry in this node's log" },
  contract: contractRefSchema,
  kill: killSchema,
  approvals: {
    type: 'object',
    additionalProperties: false,
    required: ['votes', 'counted', 'missingRoles', 'orgs'],
    properties: {
      votes: { type: 'integer' },
      counted: { type: 'integer' },
      missingRoles: { type: 'array', items: { type: 'string' } },
      orgs: {
        type: 'object',
        additionalProperties: false,
        required: ['have', 'need'],
        properties: { have: { type: 'integer' }, need: { type: 'integer' } },
      },
    },
  },
} as const;

export const modelSummarySchema = {
  type: 'object',
  additionalProperties: false,
  required: Object.keys(summaryProperties),
  properties: summaryProperties,
} as const;

export const modelListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['models'],
  properties: { models: { type: 'array', items: modelSummarySchema } },
} as const;

export const modelDetailSchema = {
  type: 'object',
  additionalProperties: false,
  required: [...Object.keys(summaryProperties), 'card', 'rule', 'votes', 'revocations', 'envelope'],
  properties: {
    ...summaryProperties,
    external: {
      type: 'object',
      additionalProperties: false,
      properties: { provider: { type: 'string' }, model: { type: 'string' }, snapshot: { type: 'string' } },
    },
    oms: { type: 'object', additionalProperties: false, properties: { method: { type: 'string' } } },
    contract: contractSchema,
    monitoring: monitoringSummarySchema,
    card: {
      type: ['object', 'null'],
      additionalProperties: true,
      description: 'the model card (docs/registry.md); null when none was given',
    },
    rule: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { roles: { type: 'array', items: { type: 'string' } }, orgs: { type: 'integer' } },
    },
    votes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'approver', 'decision', 'issuedAt', 'expiresAt', 'counts', 'logIndex', 'envelope'],
        properties: {
          id: { type: 'string' },
          approver: person,
          decision: { type: 'string', enum: ['approve', 'reject'] },
          issuedAt: { type: 'string' },
          expiresAt: { type: 'string' },
          reason: { type: 'string' },
          conditions: { type: 'object', additionalProperties: true },
          contract: { type: 'string', description: 'the contract version it approves (sha256:<hex>)' },
          counts: { type: 'boolean' },
          why: {
            type: 'string',
            description: 'why it does not count (revoked, another role, expired, another contract version)',
          },
          logIndex: { type: 'integer' },
          envelope: envelopeSchema,
        },
      },
    },
    revocations: revocationsSchema,
    envelope: envelopeSchema,
  },
} as const;

export const registeredSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['org', 'name', 'version', 'digest', 'risk', 'status', 'logIndex', 'id'],
  properties: {
    org: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    digest: { type: 'string' },
    risk,
    status: { type: 'string', enum: [...MODEL_STATUSES] },
    logIndex: { type: 'integer' },
    id: { type: 'string' },
    contract: {
      type: 'object',
      additionalProperties: false,
      required: ['version', 'id', 'logIndex'],
      properties: { ...contractRefProperties, logIndex: { type: 'integer' } },
      description: 'the contract registered with it, when one was',
    },
  },
} as const;

export const approvedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'model', 'decision', 'status', 'logIndex', 'approvals'],
  properties: {
    id: { type: 'string', description: 'sha256 hex of the approval statement' },
    model: modelWithDigestSchema,
    decision: { type: 'string', enum: ['approve', 'reject'] },
    status: { type: 'string', enum: [...MODEL_STATUSES], description: "the model version's status now" },
    logIndex: { type: 'integer' },
    approvals: summaryProperties.approvals,
  },
} as const;
