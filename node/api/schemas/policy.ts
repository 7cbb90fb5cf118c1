/**
 * Schemas of the /v1/policy and /v1/evaluate routes. Request schemas check only the outline (sizes,
 * types): the rules themselves are checked by protocol/policy, whose errors point at the field and at the
 * place in the expression (ERR_INVALID_RULE). Response schemas list exactly what a client may see.
 */

/** Most rules in one bundle or local overlay (protocol/policy checks the exact limit). */
const MAX_RULES_OUTLINE = 256;

export { emptyQuery } from './shared.ts';

/** Rules as submitted (attacker-controlled): objects, checked field by field by protocol/policy. */
export const rulesInput = {
  type: 'array',
  maxItems: MAX_RULES_OUTLINE,
  items: { type: 'object' },
  description: 'rules {id, hook, effect: "deny" | "warn" | "score", expression (CEL), message, points (score only)}',
} as const;

export const ruleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'hook', 'effect', 'expression', 'message'],
  properties: {
    id: { type: 'string' },
    hook: { type: 'string' },
    effect: { type: 'string', enum: ['deny', 'warn', 'score'] },
    expression: { type: 'string', description: 'CEL; true when the rule fires' },
    message: { type: 'string' },
    points: { type: 'integer', description: 'a score rule: what it adds to the risk score' },
  },
} as const;

export const envelopeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['payloadType', 'payload', 'signatures'],
  properties: {
    payloadType: { type: 'string' },
    payload: { type: 'string', contentEncoding: 'base64' },
    signatures: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['keyid', 'sig'],
        properties: { keyid: { type: 'string' }, sig: { type: 'string' } },
      },
    },
  },
} as const;

export const bundleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'federationId', 'version', 'previous', 'createdAt', 'expiresAt', 'rules'],
  properties: {
    type: { type: 'string' },
    federationId: { type: 'string' },
    version: { type: 'integer' },
    previous: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    expiresAt: { type: 'string' },
    rules: { type: 'array', items: ruleSchema },
    riskTiers: {
      type: 'object',
      additionalProperties: false,
      properties: { serious: { type: 'integer' }, high: { type: 'integer' }, medium: { type: 'integer' } },
    },
  },
} as const;

const finding = {
  type: 'object',
  additionalProperties: false,
  required: ['rule', 'message', 'scope'],
  properties: {
    rule: { type: 'string', description: 'the rule id (contract findings: contract.<condition>)' },
    message: { type: 'string' },
    scope: {
      type: 'string',
      enum: ['global', 'local', 'contract', 'registry'],
      description: "global baseline, local overlay, the model's trust contract, or the registry's kill switch",
    },
    error: { type: 'string', description: 'set when the rule failed to evaluate (a deny rule then fires)' },
  },
} as const;

export const findingsSchema = { type: 'array', items: finding } as const;

/** The verdict of one evaluation. */
export const verdictProperties = {
  allowed: { type: 'boolean', description: 'false when any global or local deny rule fired' },
  deny: findingsSchema,
  warn: findingsSchema,
  policyVersion: { type: ['integer', 'null'], description: 'the global baseline version evaluated (null: none)' },
  expired: { type: 'boolean', description: 'true when the baseline is past its expiry (its rules still apply)' },
} as const;

export const verdictSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['allowed', 'deny', 'warn', 'policyVersion'],
  properties: verdictProperties,
} as const;

export const proposalViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'version', 'signedBy', 'required', 'complete', 'applied', 'expiresAt', 'bundle'],
  properties: {
    id: { type: 'string', description: 'the bundle digest (sha256:<hex>): what `policy sign` takes' },
    version: { type: 'integer' },
    signedBy: { type: 'array', items: { type: 'string' }, description: 'member peer ids with valid signatures' },
    required: { type: 'integer', description: 'the charter’s policy threshold' },
    complete: { type: 'boolean' },
    applied: { type: 'boolean', description: 'this node now enforces the bundle' },
    expiresAt: { type: 'string', description: 'when the pending proposal is dropped' },
    bundle: bundleSchema,
  },
} as const;

export const localViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'updatedAt', 'rules'],
  properties: {
    version: { type: 'integer', description: '0: no local rules were ever installed' },
    updatedAt: { type: ['string', 'null'] },
    rules: { type: 'array', items: ruleSchema },
  },
} as const;
