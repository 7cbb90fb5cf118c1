/**
 * Response schemas of the /v1/federation routes (listing exactly what a client may see).
 */
import { JURISDICTION_PATTERN } from '../../../protocol/audit/fields.ts';
import { MAX_RULE_ROLES, RISK_TIERS, ROLE_NAME_PATTERN } from '../../../protocol/federation/approval-rules.ts';
import { emptyQuery, errorResponses } from './shared.ts';

const thresholds = {
  type: 'object',
  additionalProperties: false,
  required: ['admission', 'policy', 'charter'],
  properties: {
    admission: { type: 'integer', description: 'member signatures needed to admit members' },
    policy: { type: 'integer', description: 'member approvals needed for a policy' },
    charter: { type: 'integer', description: 'member signatures needed for any other charter change' },
    witness: {
      type: 'integer',
      description: "other members' cosignatures that make a checkpoint witnessed (default: a majority)",
    },
    revocation: {
      type: 'integer',
      description: 'distinct risk officers whose revoke votes revoke a model version (default 2)',
    },
    suspensionTtl: { type: 'integer', description: 'seconds an unratified suspension lasts (default 86400)' },
  },
} as const;

const charterMember = {
  type: 'object',
  additionalProperties: false,
  required: ['org', 'peerId', 'jurisdiction'],
  properties: {
    org: { type: 'string' },
    peerId: { type: 'string' },
    jurisdiction: { type: 'string' },
    witnessKey: { type: 'string', description: 'C2SP cosignature verifier key of the member’s witness' },
    logKey: { type: 'string', description: 'C2SP verifier key of the member’s audit log' },
    retiredLogKeys: {
      type: 'array',
      items: { type: 'string' },
      description: 'earlier log keys of the member, oldest first (rotated logs, still provable)',
    },
  },
} as const;

/** The charter's approval rules by risk tier (protocol/federation/approval-rules.ts). */
export const approvalRulesSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'the approval quorum per risk tier: a distinct approver per listed role, from at least `orgs` orgs',
  properties: Object.fromEntries(
    RISK_TIERS.map((t) => [
      t,
      {
        type: 'object',
        additionalProperties: false,
        required: ['roles', 'orgs'],
        properties: {
          roles: {
            type: 'array',
            items: { type: 'string', pattern: ROLE_NAME_PATTERN },
            minItems: 1,
            maxItems: MAX_RULE_ROLES,
          },
          orgs: { type: 'integer', minimum: 1, maximum: MAX_RULE_ROLES },
        },
      },
    ]),
  ),
} as const;

export const charterSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'name', 'version', 'previous', 'createdAt', 'members', 'thresholds'],
  properties: {
    type: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'integer' },
    previous: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    expiresAt: { type: 'string', description: 'the deadline of the change that makes this version (signed)' },
    members: { type: 'array', items: charterMember },
    thresholds,
    approvals: approvalRulesSchema,
  },
} as const;

export const proposalSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'version', 'rule', 'required', 'memberSignatures', 'signedBy', 'missingNewMembers', 'complete'],
  properties: {
    id: { type: 'string', description: 'the proposed charter digest (what `sign` takes)' },
    version: { type: 'integer' },
    rule: { type: 'string', enum: ['genesis', 'admission', 'removal', 'charter'] },
    required: { type: 'integer' },
    memberSignatures: { type: 'integer' },
    signedBy: { type: 'array', items: { type: 'string' } },
    missingNewMembers: { type: 'array', items: { type: 'string' } },
    missingChangedMembers: {
      type: 'array',
      items: { type: 'string' },
      description: 'members whose entry (keys, jurisdiction) the change alters and who have not signed yet',
    },
    removed: { type: 'array', items: { type: 'string' }, description: 'members the change removes' },
    complete: { type: 'boolean' },
    expiresAt: { type: 'string' },
    charter: charterSchema,
  },
} as const;

export const federationStatusSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['federated', 'members', 'proposals', 'peerId', 'addresses', 'rejected', 'lastSync', 'modules'],
  properties: {
    federated: { type: 'boolean', description: 'false until the node creates or joins a federation' },
    id: { type: 'string', description: 'federation id: hex SHA-256 of the genesis charter' },
    name: { type: 'string' },
    charterVersion: { type: 'integer' },
    charterDigest: { type: 'string' },
    thresholds,
    approvals: approvalRulesSchema,
    members: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['org', 'peerId', 'jurisdiction', 'logKey', 'witnessKey', 'self', 'connected', 'lastSeen'],
        properties: {
          org: { type: 'string' },
          peerId: { type: 'string' },
          jurisdiction: { type: 'string' },
          logKey: { type: ['string', 'null'] },
          witnessKey: { type: ['string', 'null'] },
          retiredLogKeys: {
            type: 'array',
            items: { type: 'string' },
            description: 'earlier log keys of the member, oldest first (rotated logs, still provable)',
          },
          misbehaving: {
            type: 'boolean',
            description: 'this node holds verified evidence that the member’s log equivocated',
          },
          statedVersion: {
            type: ['integer', 'null'],
            description:
              "the charter version in the member's latest freshness statement this node holds (its own: the version it holds)",
          },
          deployed: {
            type: 'array',
            items: { type: 'string' },
            description: 'the model versions the member runs (ORG/NAME@VERSION, "(shadow)" in shadow mode)',
          },
          self: { type: 'boolean' },
          connected: { type: 'boolean' },
          lastSeen: { type: ['string', 'null'] },
        },
      },
    },
    proposals: { type: 'array', items: proposalSchema },
    departed: {
      type: 'object',
      additionalProperties: false,
      required: ['federationId', 'name', 'version', 'reason', 'at'],
      description: 'when in no federation: the last one this node left (`left`) or was removed from (`removed`)',
      properties: {
        federationId: { type: 'string' },
        name: { type: 'string' },
        version: { type: 'integer', description: 'the charter version without this node' },
        reason: { type: 'string', enum: ['left', 'removed'] },
        at: { type: 'string' },
      },
    },
    peerId: { type: 'string', description: "this node's peer id" },
    addresses: { type: 'array', items: { type: 'string' }, description: 'libp2p listen addresses' },
    rejected: {
      type: 'object',
      additionalProperties: { type: 'integer' },
      description: 'federation messages rejected since start, by error code',
    },
    lastSync: { type: ['string', 'null'] },
    modules: {
      type: 'object',
      additionalProperties: { type: 'object', additionalProperties: true },
      description:
        'status of the services riding on the federation (policy, witness, freshness), by name; freshness: {fresh, stale, behind, freshFrom, needed, newestSeen, reason, lastFreshAt, intervalMs, lifetimeMs, staleAfterMs, members: {org: {version, issuedAt, expiresAt, confirms}}}',
    },
  },
} as const;

/** The answer of operations that either complete a change (status) or leave a proposal pending. */
export const operationResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: {
    status: federationStatusSchema,
    proposal: proposalSchema,
  },
} as const;

/** POST /v1/federation/join: the operation result and how many bootstrap members took the admission. */
export const joinResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'handoff'],
  properties: {
    status: federationStatusSchema,
    handoff: {
      type: 'object',
      additionalProperties: false,
      required: ['delivered', 'bootstrap'],
      description:
        "how many of the invite's bootstrap members took this node's admission; 0 means none answered in time (the node offers it again in its sync rounds)",
      properties: {
        delivered: { type: 'integer', minimum: 0 },
        bootstrap: { type: 'integer', minimum: 0 },
      },
    },
  },
} as const;

export const jurisdiction = { type: 'string', pattern: JURISDICTION_PATTERN } as const;
export { emptyQuery };

/**
 * The route options every admin operation on the federation shares (POST, schema-first): admin token,
 * a bounded body checked by `body`, no query parameters, `response` (default: the operation result) or
 * a typed error.
 */
export function federationAdminOptions(o: { summary: string; body: object; bodyLimit?: number; response?: object }) {
  return {
    config: { access: 'admin' as const },
    bodyLimit: o.bodyLimit ?? 1024,
    schema: {
      summary: o.summary,
      tags: ['federation'],
      security: [{ bearer: [] }],
      querystring: emptyQuery,
      body: o.body,
      response: { 200: o.response ?? operationResultSchema, ...errorResponses },
    },
  };
}
