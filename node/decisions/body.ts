/**
 * The body of POST /v1/decisions read from its raw bytes, as the route's fastify pipeline reads it —
 * for the ingest workers (worker.ts), which take the raw body so that parsing happens off the main
 * thread. Same steps, same order, same codes and messages as node/api (json-body.ts, the route's
 * preValidation and schema, errors.ts' schemaErrorFormatter):
 *   1. UTF-8 text (invalid sequences replaced, as fastify's string parser does);
 *   2. strict JSON (protocol/encoding/strict-json.ts: ERR_DUPLICATE_KEY, ERR_LOSSY_NUMBER,
 *      ERR_BIDI_CONTROL; text that is not JSON ERR_INVALID_JSON);
 *   3. secure-json-parse with `__proto__` and `constructor.prototype` refused (fastify's hardened parser);
 *   4. at most MAX_RECORDS_PER_REQUEST records (ERR_TOO_MANY_RECORDS, 413);
 *   5. the route's body schema (decisionsBodySchema) with fastify's ajv options (ERR_VALIDATION, 400,
 *      `body/0/model must be string`).
 * test/node/decisions/body.test.ts posts the same bodies to the route and compares.
 */
import { Ajv } from 'ajv';
import sjson from 'secure-json-parse';
import { checkStrictJson } from '../../protocol/encoding/strict-json.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import { NodeError, schemaErrorFormatter } from '../errors.ts';
import { decisionInputSchema, decisionsBodySchema, MAX_RECORDS_PER_REQUEST } from './schema.ts';
import type { DecisionToRecord } from './sealer.ts';

/** fastify's ajv options (@fastify/ajv-compiler's defaults) with node/api/app.ts' customOptions. */
const ajv = new Ajv({
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  addUsedSchema: false,
  allErrors: false,
});
ajv.addSchema(decisionInputSchema);
const validateBody = ajv.compile(decisionsBodySchema);

/** A validator of `schema` as fastify compiles it (the worker route's query string). */
export function compileLikeFastify(schema: object): ReturnType<typeof ajv.compile> {
  return ajv.compile(schema);
}

const EMPTY_JSON = "Body cannot be empty when content-type is set to 'application/json'";
const INVALID_JSON = "Body is not valid JSON but content-type is set to 'application/json'";

/** The records of a raw POST /v1/decisions body, each with the name errors give it. Throws typed errors. */
export function parseDecisionsBody(raw: Uint8Array): DecisionToRecord[] {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  try {
    checkStrictJson(text);
  } catch (err) {
    if (isGovfedError(err, 'ERR_INVALID_ENCODING'))
      throw new NodeError('ERR_INVALID_JSON', err.message, { cause: err });
    throw err;
  }
  if (text.length === 0) throw new NodeError('ERR_INVALID_JSON', EMPTY_JSON);
  let body: unknown;
  try {
    body = sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (cause) {
    throw new NodeError('ERR_INVALID_JSON', INVALID_JSON, { cause });
  }
  if (Array.isArray(body) && body.length > MAX_RECORDS_PER_REQUEST) {
    throw new NodeError(
      'ERR_TOO_MANY_RECORDS',
      `body has ${body.length} records, at most ${MAX_RECORDS_PER_REQUEST} per request`,
    );
  }
  if (!validateBody(body)) {
    throw new NodeError('ERR_VALIDATION', schemaErrorFormatter(validateBody.errors ?? [], 'body').message);
  }
  return Array.isArray(body)
    ? body.map((input, i) => ({ input, where: `body/${i}` }))
    : [{ input: body, where: 'body' }];
}
