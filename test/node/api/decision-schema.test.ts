/**
 * The HTTP schema of a decision record (node/api/schemas/shared.ts, govfed.decisionInput) and protocol/'s check
 * (checkDecisionInput), run on the same records. Where they differ it is listed here, with why: the
 * schema adds two ingest patterns protocol/ states (decision id, input digest), and protocol/ checks what
 * a JSON schema does not say (calendar dates, control and bidi characters in text).
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionInputSchema } from '../../../node/api/schemas/shared.ts';
import { checkDecisionInput } from '../../../protocol/audit/decision.ts';
import { isGovfedError } from '../../../protocol/errors.ts';

const app = Fastify({
  ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
});

beforeAll(async () => {
  app.addSchema(decisionInputSchema);
  app.post('/check', { schema: { body: { $ref: 'govfed.decisionInput#' } } }, async () => ({ ok: true }));
  await app.ready();
});

afterAll(() => app.close());

async function schemaAccepts(record: unknown): Promise<boolean> {
  const res = await app.inject({ method: 'POST', url: '/check', payload: record as object });
  expect([200, 400]).toContain(res.statusCode);
  return res.statusCode === 200;
}

function protocolAccepts(record: unknown): boolean {
  try {
    checkDecisionInput(record);
    return true;
  } catch (err) {
    expect(isGovfedError(err)).toBe(true); // a typed 400 (ERR_INVALID_RECORD, or the bidi check's code)
    return false;
  }
}

const ok = { model: 'm', output: 'yes' };
const digest = `sha256:${'ab'.repeat(32)}`;

/** [name, record, schema accepts, protocol accepts] */
const CASES: [string, unknown, boolean, boolean][] = [
  ['the smallest record', ok, true, true],
  [
    'every field',
    {
      ...ok,
      decisionId: 'd-1.a:b_c',
      timestamp: '2025-01-01T00:00:00.123Z',
      inputDigest: digest,
      jurisdiction: 'US-CA',
      dataClasses: ['pii', 'biometric'],
      context: { a: 1 },
    },
    true,
    true,
  ],
  ['no model', { output: 1 }, false, false],
  ['no output', { model: 'm' }, false, false],
  ['an empty model', { ...ok, model: '' }, false, false],
  ['an oversize model', { ...ok, model: 'x'.repeat(257) }, false, false],
  ['an unknown field', { ...ok, extra: 1 }, false, false],
  ['a nonce', { ...ok, nonce: 'AA==' }, false, false],
  ['a numeric decisionId', { ...ok, decisionId: 1 }, false, false],
  ['an oversize decisionId', { ...ok, decisionId: 'x'.repeat(129) }, false, false],
  ['a local timestamp', { ...ok, timestamp: '2025-01-01T00:00:00+01:00' }, false, false],
  ['a lowercase jurisdiction', { ...ok, jurisdiction: 'eu' }, false, false],
  ['a bad data class', { ...ok, dataClasses: ['a b'] }, false, false],
  ['too many data classes', { ...ok, dataClasses: Array.from({ length: 65 }, (_, i) => `c${i}`) }, false, false],
  ['a context that is an array', { ...ok, context: [] }, false, false],
  // Ingest patterns: the schema states them (protocol/audit/fields.ts); checkDecisionInput, which also
  // serves POST /v1/evaluate's `decision` hook, takes any printable text there.
  ['a decisionId with a space', { ...ok, decisionId: 'a b' }, false, true],
  ['an inputDigest without algorithm:hex', { ...ok, inputDigest: 'abc' }, false, true],
  // What only protocol/ checks: a JSON schema pattern cannot say them (or says them only approximately).
  ['an impossible date', { ...ok, timestamp: '2025-02-30T00:00:00Z' }, true, false],
  ['a control character in the model', { ...ok, model: 'm\u0007' }, true, false],
  ['a bidi control in the model', { ...ok, model: 'm\u202e' }, true, false],
];

describe('the decision record: HTTP schema and protocol check', () => {
  it.each(CASES)('%s', async (_name, record, schema, protocol) => {
    expect({ schema: await schemaAccepts(record), protocol: protocolAccepts(record) }).toEqual({ schema, protocol });
  });

  it('disagree only on the cases listed above', async () => {
    const disagreements: string[] = [];
    for (const [name, record] of CASES) {
      if ((await schemaAccepts(record)) !== protocolAccepts(record)) disagreements.push(name);
    }
    expect(disagreements).toEqual([
      'a decisionId with a space',
      'an inputDigest without algorithm:hex',
      'an impossible date',
      'a control character in the model',
      'a bidi control in the model',
    ]);
  });
});
