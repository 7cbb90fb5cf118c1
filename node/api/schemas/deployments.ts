/**
 * Schemas of the deployment routes (node/api/routes/deployments.ts; docs/contracts.md "Deployments").
 */
import { MODEL_NAME_PATTERN, ORG_PATTERN } from './models.ts';

const modelRef = {
  type: 'object',
  additionalProperties: false,
  required: ['org', 'name', 'version'],
  properties: { org: { type: 'string' }, name: { type: 'string' }, version: { type: 'string' } },
} as const;

export const runningSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['org', 'model', 'digest', 'shadow', 'since', 'seq', 'logIndex'],
  properties: {
    org: { type: 'string', description: 'the org whose node runs it' },
    model: modelRef,
    digest: { type: 'string' },
    shadow: { type: 'boolean', description: 'deployed in shadow mode (mirrored traffic: logged, not served)' },
    since: { type: 'string' },
    contract: { type: 'string', description: 'the contract version in force when deployed (sha256:<hex>)' },
    seq: { type: 'integer', description: "the record's place in its org's chain of deployment records" },
    logIndex: { type: 'integer', description: "the record's entry in this node's log" },
  },
} as const;

export const deploymentsListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['deployments'],
  properties: { deployments: { type: 'array', items: runningSchema } },
} as const;

export const deploymentsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    org: { type: 'string', pattern: ORG_PATTERN, description: 'only the versions this org runs' },
    model: { type: 'string', maxLength: 300, description: 'only this version: ORG/NAME@VERSION' },
  },
} as const;

export const deployBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version'],
  properties: {
    org: { type: 'string', pattern: ORG_PATTERN, description: 'the org that registered it (when several did)' },
    name: { type: 'string', pattern: MODEL_NAME_PATTERN },
    version: { type: 'string', pattern: MODEL_NAME_PATTERN },
    action: {
      type: 'string',
      enum: ['deploy', 'undeploy', 'promote'],
      default: 'deploy',
      description: 'promote: a shadow deployment goes live, refused while its monitoring windows breach',
    },
    shadow: { type: 'boolean', default: false, description: 'deploy in shadow mode' },
  },
} as const;

export const deployedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['org', 'model', 'digest', 'action', 'shadow', 'seq', 'time', 'logIndex'],
  properties: {
    org: { type: 'string' },
    model: modelRef,
    digest: { type: 'string' },
    action: { type: 'string', enum: ['deploy', 'undeploy'] },
    shadow: { type: 'boolean' },
    contract: { type: 'string' },
    seq: { type: 'integer' },
    time: { type: 'string' },
    logIndex: { type: 'integer' },
  },
} as const;
