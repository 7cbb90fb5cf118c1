/**
 * Schemas of trust contracts in the registry routes (node/api/routes/models.ts, contracts.ts;
 * docs/contracts.md): the contract a model version runs under, its version history, and what attaching
 * a new version answers.
 */
import { MAX_CONTRACT_ENVELOPE } from '../../../protocol/registry/contract.ts';
import { envelopeSchema } from './policy.ts';
import { modelWithDigestSchema } from './shared.ts';

export const MAX_CONTRACT_BODY = MAX_CONTRACT_ENVELOPE + 1024;

const signer = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role'],
  properties: { name: { type: 'string' }, role: { type: 'string' } },
} as const;

/** A contract version in short: what a summary, a vote or the history names. */
export const contractRefProperties = {
  version: { type: 'integer', minimum: 1 },
  id: { type: 'string', description: 'sha256:<hex> of the contract statement: what approvals name' },
} as const;

export const contractRefSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['version', 'id'],
  properties: contractRefProperties,
  description: 'the current contract (null: the version has none)',
} as const;

const historyItem = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'id', 'signer', 'issuedAt', 'logIndex'],
  properties: { ...contractRefProperties, signer, issuedAt: { type: 'string' }, logIndex: { type: 'integer' } },
} as const;

/** The current contract in full. */
export const contractSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['version', 'id', 'terms', 'signer', 'issuedAt', 'logIndex', 'envelope', 'history'],
  properties: {
    ...historyItem.properties,
    terms: { type: 'object', additionalProperties: true, description: 'the contract terms (docs/contracts.md)' },
    envelope: envelopeSchema,
    history: { type: 'array', items: historyItem, description: 'every version held, oldest first' },
  },
  description: 'the current contract (null: the version has none)',
} as const;

export const attachedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'version', 'id', 'logIndex', 'status'],
  properties: {
    model: modelWithDigestSchema,
    ...contractRefProperties,
    logIndex: { type: 'integer' },
    status: { type: 'string', description: "the model version's status now (a new contract needs approval again)" },
  },
} as const;
