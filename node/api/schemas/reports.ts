/** Schemas of GET /v1/reports/models/{name} (docs/reports.md). */
import { MODEL_NAME_PATTERN, ORG_PATTERN } from './models.ts';
import { uintString } from './shared.ts';

/** The longest a request may wait for records to be witnessed. */
export const MAX_REPORT_WAIT_MS = 60_000;

export const reportParams = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', pattern: MODEL_NAME_PATTERN } },
} as const;

export const reportQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    version: { type: 'string', pattern: MODEL_NAME_PATTERN, description: 'one version (default: every version)' },
    org: { type: 'string', pattern: ORG_PATTERN, description: 'the org that registered it (needed when several did)' },
    waitMs: {
      ...uintString,
      description: `how long to wait for records to be witnessed before listing them as gaps (ms, default 15000, at most ${MAX_REPORT_WAIT_MS})`,
    },
  },
} as const;

const envelope = {
  type: 'object',
  required: ['payloadType', 'payload', 'signatures'],
  properties: {
    payloadType: { type: 'string' },
    payload: { type: 'string' },
    signatures: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sig'],
        properties: { keyid: { type: 'string' }, sig: { type: 'string' } },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

/**
 * The signed report (protocol/report/report.ts, govfed-report/v1). The report's own parts are listed;
 * their insides are protocol/report's (the verifier checks them field by field), passed through whole.
 */
export const signedReportSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['report', 'signature'],
  properties: {
    report: {
      type: 'object',
      additionalProperties: false,
      required: [
        'format',
        'subject',
        'generated',
        'federation',
        'versions',
        'logs',
        'evidence',
        'summary',
        'controls',
        'gaps',
      ],
      properties: {
        format: { type: 'string', const: 'govfed-report/v1' },
        subject: { type: 'object', additionalProperties: true },
        generated: { type: 'object', additionalProperties: true },
        federation: { type: 'object', additionalProperties: true },
        versions: { type: 'array', items: { type: 'object', additionalProperties: true } },
        logs: { type: 'array', items: { type: 'object', additionalProperties: true } },
        rosters: { type: 'array', items: envelope },
        evidence: { type: 'array', items: { type: 'object', additionalProperties: true } },
        summary: { type: 'object', additionalProperties: true },
        controls: { type: 'array', items: { type: 'object', additionalProperties: true } },
        gaps: { type: 'array', items: { type: 'object', additionalProperties: true } },
      },
    },
    signature: envelope,
  },
} as const;
