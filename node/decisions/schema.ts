/**
 * The JSON schemas of what a model's caller submits to POST /v1/decisions: one decision record
 * (govfed.decisionInput) and the request body (one record or 1..10,000). The route declares them
 * (node/api/routes/decisions-post.ts, via node/api/schemas/shared.ts) and the ingest workers validate
 * raw bodies against them (body.ts), so both paths apply the same schema.
 *
 * The record's schema is checkDecisionInput's rules plus two patterns (decision id, input digest)
 * protocol/ states for ingest; test/node/api/decision-schema.test.ts runs both on the same records.
 */
import { MAX_DATA_CLASSES, MAX_INPUT_DIGEST_CHARS } from '../../protocol/audit/decision.ts';
import {
  DECISION_ID_PATTERN,
  INPUT_DIGEST_PATTERN,
  JURISDICTION_PATTERN,
  LABEL_PATTERN,
  RFC3339_UTC_PATTERN,
} from '../../protocol/audit/fields.ts';
import { MAX_DECISION_ID_CHARS, MAX_MODEL_CHARS } from '../../protocol/audit/leaf.ts';

/** Most records in one POST /v1/decisions. */
export const MAX_RECORDS_PER_REQUEST = 10_000;

/** A decision record as submitted (attacker-controlled). */
export const decisionInputSchema = {
  $id: 'govfed.decisionInput',
  type: 'object',
  description: 'One decision record as submitted by a model’s caller.',
  additionalProperties: false,
  required: ['model', 'output'],
  properties: {
    model: { type: 'string', minLength: 1, maxLength: MAX_MODEL_CHARS, description: 'model name and version' },
    decisionId: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_DECISION_ID_CHARS,
      pattern: DECISION_ID_PATTERN,
      description: 'caller’s id for the decision; a UUID is assigned when missing',
    },
    timestamp: {
      type: 'string',
      pattern: RFC3339_UTC_PATTERN,
      description: 'RFC 3339 UTC time of the decision; the node’s clock when missing',
    },
    inputDigest: {
      type: 'string',
      maxLength: MAX_INPUT_DIGEST_CHARS,
      pattern: INPUT_DIGEST_PATTERN,
      description: 'digest of the model input, as algorithm:hex (e.g. sha256:…)',
    },
    output: { description: 'the model output: any JSON value' },
    jurisdiction: { type: 'string', minLength: 1, maxLength: 16, pattern: JURISDICTION_PATTERN },
    dataClasses: {
      type: 'array',
      maxItems: MAX_DATA_CLASSES,
      items: { type: 'string', minLength: 1, maxLength: 64, pattern: LABEL_PATTERN },
    },
    context: { type: 'object', description: 'free-form JSON object', additionalProperties: true },
  },
} as const;

/** The body of POST /v1/decisions: one decision record, or an array of 1..10,000. */
export const decisionsBodySchema = {
  if: { type: 'array' },
  // biome-ignore lint/suspicious/noThenProperty: the JSON Schema if/then/else keyword
  then: { type: 'array', minItems: 1, maxItems: MAX_RECORDS_PER_REQUEST, items: { $ref: 'govfed.decisionInput#' } },
  else: { $ref: 'govfed.decisionInput#' },
} as const;
