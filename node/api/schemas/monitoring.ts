/**
 * Schemas of the monitoring routes (node/api/routes/monitoring.ts; docs/monitoring.md): the windows
 * this node holds for a model version — its own and every member's, each a signed statement — and the
 * flags (the latest windows that breach). Response schemas list exactly what a client sees.
 */
import { envelopeSchema } from './policy.ts';

export const windowSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'org',
    'monitor',
    'metric',
    'seq',
    'from',
    'to',
    'decisions',
    'shadow',
    'counts',
    'value',
    'threshold',
    'breach',
    'contract',
    'envelope',
  ],
  properties: {
    org: { type: 'string', description: 'the org whose node measured the window' },
    monitor: { type: 'integer', description: "index of the monitor in the contract's requiredMonitors" },
    name: { type: 'string', description: 'metric and field, e.g. psi:output.score' },
    metric: { type: 'string' },
    onBreach: { type: 'string', enum: ['flag', 'suspend'] },
    seq: { type: 'integer' },
    from: { type: 'string' },
    to: { type: 'string' },
    decisions: { type: 'integer' },
    shadow: { type: 'boolean' },
    counts: { type: 'object', additionalProperties: true, description: 'bins and counts only (docs/monitoring.md)' },
    value: { type: ['number', 'null'] },
    threshold: { type: 'number' },
    breach: { type: 'boolean' },
    contract: { type: 'string', description: 'the contract version (sha256:<id>) whose monitor it is' },
    logIndex: { type: 'integer', description: "this node's log index (its own windows only)" },
    envelope: envelopeSchema,
  },
} as const;

export const flagSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['org', 'monitor', 'metric', 'value', 'threshold', 'seq', 'to'],
  properties: {
    org: { type: 'string' },
    monitor: { type: 'integer' },
    name: { type: 'string' },
    metric: { type: 'string' },
    onBreach: { type: 'string', enum: ['flag', 'suspend'] },
    value: { type: ['number', 'null'] },
    threshold: { type: 'number' },
    seq: { type: 'integer' },
    to: { type: 'string' },
    shadow: { type: 'boolean' },
  },
} as const;

/** `monitoring` in GET /v1/models/{name}/{version}: the version's flags. */
export const monitoringSummarySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['flags'],
  properties: { flags: { type: 'array', items: flagSchema } },
} as const;

/** GET /v1/models/{name}/{version}/monitoring. */
export const monitoringSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'flags', 'windows'],
  properties: {
    model: { type: 'string', description: 'org/name@version' },
    flags: { type: 'array', items: flagSchema },
    windows: { type: 'array', items: windowSchema, description: 'the latest window of each org × monitor' },
  },
} as const;
