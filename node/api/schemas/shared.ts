import { SHA256_DIGEST_PATTERN } from '../../../protocol/audit/fields.ts';
import { decisionInputSchema } from '../../decisions/schema.ts';
import { NodeError } from '../../errors.ts';

export { decisionInputSchema, decisionsBodySchema, MAX_RECORDS_PER_REQUEST } from '../../decisions/schema.ts';

/** A non-negative integer in a path or query string, written canonically (no sign, no leading zeros). */
export const UINT_STRING_PATTERN = '^(0|[1-9][0-9]{0,15})$';

export const uintString = {
  type: 'string',
  pattern: UINT_STRING_PATTERN,
  description: 'a non-negative integer, in decimal without leading zeros',
} as const;

export const base64 = { type: 'string', contentEncoding: 'base64' } as const;

/** A route that takes no query parameters: any one is a 400. */
export const emptyQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

export const errorSchema = {
  $id: 'govfed.error',
  type: 'object',
  description: 'An error. `code` is stable (see docs/errors.md); `message` is for people.',
  additionalProperties: false,
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

export const errorRef = { $ref: 'govfed.error#' } as const;

/** Response schemas for every error status. */
export const errorResponses = { '4xx': errorRef, '5xx': errorRef } as const;

/** The stored record: the input plus what the node filled in. Served to auditors only. */
export const decisionRecordSchema = {
  $id: 'govfed.decisionRecord',
  type: 'object',
  additionalProperties: false,
  required: ['model', 'decisionId', 'timestamp', 'output', 'nonce'],
  properties: {
    ...decisionInputSchema.properties,
    nonce: { ...base64, description: '16 random bytes that salt the record digest' },
  },
} as const;

export const decisionLeafSchema = {
  $id: 'govfed.decisionLeaf',
  type: 'object',
  additionalProperties: false,
  required: ['v', 'type', 'model', 'time', 'decisionId', 'recordDigest', 'outcome'],
  properties: {
    v: { type: 'integer', const: 1 },
    type: { type: 'string', const: 'decision' },
    model: { type: 'string' },
    time: { type: 'string' },
    decisionId: { type: 'string' },
    recordDigest: { type: 'string', pattern: SHA256_DIGEST_PATTERN },
    outcome: { type: 'string' },
    policyVersion: { type: 'integer', minimum: 0 },
    verdict: { type: 'string', enum: ['allowed', 'denied'], description: 'the policy verdict on the decision' },
    deny: { type: 'array', items: { type: 'string' }, description: 'ids of the deny rules that fired (local:<id>)' },
  },
} as const;

export const inclusionProofSchema = {
  $id: 'govfed.inclusionProof',
  type: 'object',
  additionalProperties: false,
  required: ['index', 'treeSize', 'leafHash', 'proof'],
  properties: {
    index: { type: 'integer', minimum: 0 },
    treeSize: { type: 'integer', minimum: 1 },
    leafHash: { ...base64, description: 'SHA-256(0x00 || entry)' },
    proof: { type: 'array', items: base64 },
  },
} as const;

export const consistencyProofSchema = {
  $id: 'govfed.consistencyProof',
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'proof'],
  properties: {
    from: { type: 'integer', minimum: 0 },
    to: { type: 'integer', minimum: 0 },
    proof: { type: 'array', items: base64 },
  },
} as const;

/** Schemas referenced by $id; registered once with app.addSchema. */
export const sharedSchemas = [
  errorSchema,
  decisionInputSchema,
  decisionRecordSchema,
  decisionLeafSchema,
  inclusionProofSchema,
  consistencyProofSchema,
] as const;

/** Converts a string that matched UINT_STRING_PATTERN; ERR_VALIDATION when it is beyond 2^53 - 1. */
export function toUint(s: string, what: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n)) {
    throw new NodeError('ERR_VALIDATION', `${what} must be at most ${Number.MAX_SAFE_INTEGER}`);
  }
  return n;
}

/** Body of POST routes that take no input: nothing, or `{}`. */
export const emptyBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {},
  description: 'no body, or {}',
} as const;

/** preValidation for routes with emptyBodySchema: a request without a body is treated as `{}`. */
export async function defaultEmptyBody(request: { body: unknown }): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

/** A model version and its digest, as the answers to posted records name it. */
export const modelWithDigestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['org', 'name', 'version', 'digest'],
  properties: {
    org: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    digest: { type: 'string' },
  },
} as const;
