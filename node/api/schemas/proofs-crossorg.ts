/** Response schemas of the cross-org proof routes (GET /v1/proofs/inclusion, /v1/proofs/consistency). */
import { CROSSORG_BUNDLE_FIELDS } from '../../../protocol/witness/bundle.ts';
import { base64 } from './shared.ts';

const envelopeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['payloadType', 'payload', 'signatures'],
  properties: {
    payloadType: { type: 'string' },
    payload: base64,
    signatures: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sig'],
        properties: { keyid: { type: 'string' }, sig: base64 },
      },
    },
  },
} as const;

/** protocol/witness/bundle.ts CrossOrgBundle, format govfed-crossorg-proof/v1. */
export const crossOrgBundleSchema = {
  type: 'object',
  description: 'A cross-org proof bundle: verifies offline with `govfed verify FILE` (protocol/witness/bundle.ts)',
  additionalProperties: false,
  required: [...CROSSORG_BUNDLE_FIELDS],
  properties: {
    format: { type: 'string', const: 'govfed-crossorg-proof/v1' },
    origin: { type: 'string' },
    index: { type: 'integer', minimum: 0 },
    treeSize: { type: 'integer', minimum: 1 },
    entry: { ...base64, description: 'the exact leaf bytes' },
    inclusion: { type: 'array', items: base64 },
    checkpoint: { type: 'string', description: 'the signed checkpoint note with its cosignature lines' },
    logKey: { type: 'string', description: 'the log’s C2SP verifier key' },
    witnessKeys: { type: 'array', items: { type: 'string' }, description: 'C2SP cosignature/v1 verifier keys' },
    federation: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'charters'],
      properties: { id: { type: 'string' }, charters: { type: 'array', items: envelopeSchema } },
    },
  },
} as const;

export const crossOrgConsistencySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['origin', 'from', 'to', 'oldRoot', 'proof', 'checkpoint'],
  properties: {
    origin: { type: 'string' },
    from: { type: 'integer', minimum: 0 },
    to: { type: 'integer', minimum: 0 },
    oldRoot: { ...base64, description: 'root of the first `from` entries (compare with a checkpoint you hold)' },
    proof: { type: 'array', items: base64 },
    checkpoint: { type: 'string', description: 'the witnessed checkpoint of size `to`, with cosignatures' },
  },
} as const;

/** A log origin in a query string. */
export const originParam = { type: 'string', minLength: 1, maxLength: 512, pattern: '^[\\x21-\\x7e]+$' } as const;
/** `origin` of the routes that read one of this node's own logs (node/api/log-of.ts). */
export const ownLogOriginParam = {
  ...originParam,
  description: 'the log: this node’s current one (default) or one it retired',
} as const;
