/**
 * Schemas of the monitoring routes (node/api/routes/monitoring.ts; docs/monitoring.md): the windows
 * this node holds for a model version — its own and every member's, each a signed statement — and the
 * flags (the latest windows that breach). Response schemas list exactly what a client sees.
 */

import { ORG_PATTERN } from '../../../protocol/federation/member.ts';
import { DEFAULT_HISTORY_LIMIT, MAX_CURSOR_CHARS, MAX_HISTORY_LIMIT } from '../../monitoring/history.ts';
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

/** GET /v1/models/{name}/{version}/monitoring/windows: the query (attacker-controlled, bounded by the schema). */
export const windowsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    org: {
      type: 'string',
      pattern: ORG_PATTERN,
      description: 'the org that registered the model (needed when several did)',
    },
    member: { type: 'string', pattern: ORG_PATTERN, description: 'only the windows this org measured' },
    monitor: {
      type: 'string',
      pattern: '^(0|[1-9][0-9]?)$',
      description: 'only this monitor (its index in requiredMonitors, 0..63)',
    },
    limit: {
      type: 'string',
      pattern: '^[1-9][0-9]{0,2}$',
      description: `page size, 1..${MAX_HISTORY_LIMIT} (default ${DEFAULT_HISTORY_LIMIT})`,
    },
    cursor: {
      type: 'string',
      pattern: `^[A-Za-z0-9_-]{1,${MAX_CURSOR_CHARS}}$`,
      description: 'the `next` of the previous page (opaque; ERR_INVALID_CURSOR when it is not one)',
    },
  },
} as const;

/** GET /v1/models/{name}/{version}/monitoring/windows: a page of the windows held, oldest first. */
export const windowsPageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'windows'],
  properties: {
    model: { type: 'string', description: 'org/name@version' },
    windows: { type: 'array', items: windowSchema, description: 'oldest first (by `to`, org, monitor, seq)' },
    next: { type: 'string', description: 'present when more windows follow: pass it as `cursor`' },
  },
} as const;
