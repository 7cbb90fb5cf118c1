import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyPort } from '../../../../node/api/ports/policy.ts';
import { decodeLeaf } from '../../../../protocol/audit/leaf.ts';
import { fromBase64, toBase64 } from '../../../../protocol/encoding/bytes.ts';
import { leafHash } from '../../../../protocol/log/index.ts';
import { decision, startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;

function post(payload: unknown, headers: Record<string, string> = {}) {
  return node.app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: { ...node.auth('ingest'), ...headers },
    payload: payload as string,
  });
}

/** Posts and asserts a 4xx with `code`, and that the log did not grow. */
async function rejects(status: number, code: string, payload: unknown, headers: Record<string, string> = {}) {
  const before = node.log.size;
  const res = await post(payload, headers);
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
  expect(node.log.size).toBe(before);
  return res;
}

// Every case runs on both paths: sealing on the main thread, and in ingest worker threads (the raw body
// parsed, checked and sealed by node/decisions/worker.ts) — same answers, same codes, same messages.
describe.each([0, 2])('with %i ingest workers', (workers) => {
  beforeAll(async () => {
    node = await startTestNode({ ingestWorkers: workers });
  });
  afterAll(async () => {
    await node.close();
  });

  describe('POST /v1/decisions', () => {
    describe('when given one valid record', () => {
      it('appends it and replies with its index and leaf hash once durable', async () => {
        const before = node.log.size;
        const res = await post(decision(1));
        expect(res.statusCode).toBe(200);
        const { entries } = res.json();
        expect(entries).toEqual([{ index: before, leafHash: expect.any(String) }]);
        expect(node.log.size).toBe(before + 1);
        const entry = await node.log.entry(before);
        expect(entries[0].leafHash).toBe(toBase64(leafHash(entry)));
        const leaf = decodeLeaf(entry);
        expect(leaf).toMatchObject({ type: 'decision', model: 'credit-scorer@3', outcome: 'approve' });
      });
    });

    describe('when given a batch', () => {
      it('appends all records in order with consecutive indexes', async () => {
        const before = node.log.size;
        const batch = Array.from({ length: 250 }, (_, i) => ({ ...decision(i), decisionId: `d-${i}` }));
        const res = await post(batch);
        expect(res.statusCode).toBe(200);
        const { entries } = res.json();
        expect(entries.map((e: { index: number }) => e.index)).toEqual(batch.map((_, i) => before + i));
        for (const i of [0, 137, 249]) {
          const leaf = decodeLeaf(await node.log.entry(before + i));
          expect(leaf).toMatchObject({ decisionId: `d-${i}` });
          expect(fromBase64(entries[i].leafHash)).toEqual(leafHash(await node.log.entry(before + i)));
        }
      });

      it('accepts exactly 10,000 records', async () => {
        const res = await post(Array.from({ length: 10_000 }, (_, i) => decision(i)));
        expect(res.statusCode).toBe(200);
        expect(res.json().entries).toHaveLength(10_000);
      });

      it('counts ingested decisions in the metrics', async () => {
        const before = (await node.metrics.decisionsIngested.get()).values[0]?.value ?? 0;
        await post([decision(1), decision(2), decision(3)]);
        expect((await node.metrics.decisionsIngested.get()).values[0]?.value).toBe(before + 3);
      });
    });

    describe('when one record of a batch is bad', () => {
      it('rejects the whole batch with 400 naming the record, and appends nothing', async () => {
        const res = await rejects(400, 'ERR_VALIDATION', [decision(1), decision(2), { model: 'm' }]);
        expect(res.json().error.message).toContain('body/2');
      });

      it('rejects a record that only protocol/ can refuse (impossible date) the same way', async () => {
        const res = await rejects(400, 'ERR_INVALID_RECORD', [
          decision(1),
          { ...decision(2), timestamp: '2023-02-29T00:00:00Z' },
        ]);
        expect(res.json().error.message).toContain('body/1');
      });
    });

    describe('when the body is not acceptable JSON', () => {
      it('answers malformed JSON with 400 ERR_INVALID_JSON', async () => {
        await rejects(400, 'ERR_INVALID_JSON', '{"model": "m", "output": ', { 'content-type': 'application/json' });
      });

      it('answers an empty JSON body with 400 ERR_INVALID_JSON', async () => {
        await rejects(400, 'ERR_INVALID_JSON', '', { 'content-type': 'application/json' });
      });

      it('answers a __proto__ key with 400 ERR_INVALID_JSON', async () => {
        await rejects(400, 'ERR_INVALID_JSON', '{"model":"m","output":1,"__proto__":{"admin":true}}', {
          'content-type': 'application/json',
        });
      });

      it('answers a lone surrogate in a string or a key with 400 ERR_INVALID_RECORD', async () => {
        const h = { 'content-type': 'application/json' };
        await rejects(400, 'ERR_INVALID_RECORD', '{"model":"m","output":"x\\ud800y"}', h);
        await rejects(400, 'ERR_INVALID_RECORD', '{"model":"m","output":1,"context":{"\\udc00":1}}', h);
      });

      it('answers deeply nested JSON with 400, not a stack overflow', async () => {
        const h = { 'content-type': 'application/json' };
        const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
        // The strict JSON scan stops past 1,000 levels, before anything is parsed or canonicalised.
        await rejects(400, 'ERR_INVALID_INPUT', `{"model":"m","output":1,"context":${deep}}`, h);
        await rejects(400, 'ERR_INVALID_INPUT', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, h);
        const deepButParsed = `${'{"a":'.repeat(500)}1${'}'.repeat(500)}`;
        await rejects(400, 'ERR_INVALID_RECORD', `{"model":"m","output":1,"context":${deepButParsed}}`, h);
      });

      it('answers a non-JSON content type with 415', async () => {
        await rejects(415, 'ERR_UNSUPPORTED_MEDIA_TYPE', 'model=m&output=1', {
          'content-type': 'application/x-www-form-urlencoded',
        });
        await rejects(415, 'ERR_UNSUPPORTED_MEDIA_TYPE', JSON.stringify(decision(1)), { 'content-type': 'text/plain' });
      });

      it('answers a body over 16 MiB with 413 ERR_BODY_TOO_LARGE', async () => {
        const big = JSON.stringify([{ model: 'm', output: 'x'.repeat(16 * 1024 * 1024) }]);
        await rejects(413, 'ERR_BODY_TOO_LARGE', big, { 'content-type': 'application/json' });
      });

      it('answers a record over 64 KiB with 413 ERR_RECORD_TOO_LARGE', async () => {
        const res = await rejects(413, 'ERR_RECORD_TOO_LARGE', [
          decision(1),
          { model: 'm', output: 'x'.repeat(65_536) },
        ]);
        expect(res.json().error.message).toContain('body/1');
      });

      it('answers more than 10,000 records with 413 ERR_TOO_MANY_RECORDS', async () => {
        await rejects(
          413,
          'ERR_TOO_MANY_RECORDS',
          Array.from({ length: 10_001 }, () => ({ model: 'm', output: 1 })),
        );
      });
    });

    describe('when the record does not match the schema', () => {
      it.each([
        ['no model', { output: 1 }],
        ['no output', { model: 'm' }],
        ['unknown field', { model: 'm', output: 1, extra: true }],
        ['model not a string', { model: 7, output: 1 }],
        ['empty model', { model: '', output: 1 }],
        ['model too long', { model: 'm'.repeat(257), output: 1 }],
        ['bad decisionId', { model: 'm', output: 1, decisionId: 'has space' }],
        ['timestamp with offset', { model: 'm', output: 1, timestamp: '2024-01-01T00:00:00+01:00' }],
        ['timestamp as number', { model: 'm', output: 1, timestamp: 1700000000 }],
        ['bad inputDigest', { model: 'm', output: 1, inputDigest: 'abc' }],
        ['lowercase jurisdiction', { model: 'm', output: 1, jurisdiction: 'eu' }],
        ['dataClasses not an array', { model: 'm', output: 1, dataClasses: 'pii' }],
        ['too many dataClasses', { model: 'm', output: 1, dataClasses: Array.from({ length: 65 }, (_, i) => `c${i}`) }],
        ['context not an object', { model: 'm', output: 1, context: [1] }],
        ['a number body', 42],
        ['a string body', 'approve'],
        ['null body', null],
        ['an empty array', []],
        ['an array of numbers', [1, 2]],
      ])('answers %s with 400 ERR_VALIDATION', async (_what, body) => {
        await rejects(400, 'ERR_VALIDATION', JSON.stringify(body), { 'content-type': 'application/json' });
      });

      it('says where the problem is', async () => {
        const res = await rejects(400, 'ERR_VALIDATION', [decision(0), { model: 'm', output: 1, colour: 'red' }]);
        expect(res.json().error.message).toBe('body/1 must NOT have additional properties ("colour")');
      });
    });

    describe('when the token is missing or has the wrong role', () => {
      it('answers 401 without a token and 403 for an auditor token, appending nothing', async () => {
        const before = node.log.size;
        const none = await node.app.inject({ method: 'POST', url: '/v1/decisions', payload: decision(1) });
        expect(none.statusCode).toBe(401);
        const auditor = await post(decision(1), node.auth('auditor'));
        expect(auditor.statusCode).toBe(403);
        expect(node.log.size).toBe(before);
      });

      it('accepts an admin token', async () => {
        expect((await post(decision(1), node.auth('admin'))).statusCode).toBe(200);
      });
    });

    describe('when given arbitrary JSON', () => {
      it('never answers 5xx, and appends exactly when it answers 200', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.oneof(
              fc.jsonValue({ stringUnit: 'binary' }),
              fc.record(
                { model: fc.string({ unit: 'binary' }), output: fc.jsonValue({ stringUnit: 'binary' }) },
                { requiredKeys: [] },
              ),
              fc.array(
                fc.record({
                  model: fc.string({ minLength: 1 }),
                  output: fc.jsonValue({ stringUnit: 'binary' }),
                  context: fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ stringUnit: 'binary' })),
                }),
                { maxLength: 3 },
              ),
            ),
            async (body) => {
              const before = node.log.size;
              const res = await post(JSON.stringify(body), { 'content-type': 'application/json' });
              expect(res.statusCode).toBeLessThan(500);
              if (res.statusCode === 200) expect(node.log.size).toBe(before + res.json().entries.length);
              else expect(node.log.size).toBe(before);
            },
          ),
          { numRuns: 200 },
        );
      });
    });
  });

  describe('POST /v1/decisions under backpressure', () => {
    let small: TestNode;
    beforeAll(async () => {
      small = await startTestNode({ log: { maxPendingEntries: 2 }, ingestWorkers: workers });
    });
    afterAll(async () => {
      await small.close();
    });

    describe('when a request would exceed the pending limit', () => {
      it('answers 503 ERR_BACKPRESSURE with Retry-After, appends nothing and counts it', async () => {
        const res = await small.app.inject({
          method: 'POST',
          url: '/v1/decisions',
          headers: small.auth('ingest'),
          payload: [decision(1), decision(2), decision(3)],
        });
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBe('1');
        expect(res.json().error.code).toBe('ERR_BACKPRESSURE');
        expect(small.log.size).toBe(0);
        expect((await small.metrics.backpressureRejections.get()).values[0]?.value).toBe(1);
      });
    });
  });

  describe('POST /v1/decisions input fidelity', () => {
    const h = { 'content-type': 'application/json' };

    describe('when a number cannot be kept exactly', () => {
      it.each([
        ['a 30-digit integer', '123456789012345678901234567890'],
        ['2^53 + 1', '9007199254740993'],
        ['a decimal a double rounds', '0.30000000000000000001'],
        ['an overflowing exponent', '1e400'],
        ['negative zero', '-0'],
      ])('answers %s with 400 ERR_LOSSY_NUMBER and stores nothing', async (_name, n) => {
        await rejects(400, 'ERR_LOSSY_NUMBER', `{"model":"m","output":{"amount":${n}}}`, h);
        await rejects(
          400,
          'ERR_LOSSY_NUMBER',
          `[{"model":"m","output":1},{"model":"m","output":1,"context":{"n":[${n}]}}]`,
          h,
        );
      });

      it('stores a number that is exact, as written', async () => {
        const res = await post('{"model":"m","output":{"amount":9007199254740991,"rate":0.1}}', h);
        expect(res.statusCode, res.body).toBe(200);
        const index = res.json().entries[0].index as number;
        const got = await node.app.inject({
          method: 'GET',
          url: `/v1/decisions/${index}`,
          headers: node.auth('auditor'),
        });
        expect(got.json().record.output).toEqual({ amount: 9007199254740991, rate: 0.1 });
      });
    });

    describe('when a key appears twice', () => {
      it('answers 400 ERR_DUPLICATE_KEY, at the top or nested, and stores nothing', async () => {
        await rejects(400, 'ERR_DUPLICATE_KEY', '{"model":"m","output":"allow","output":"deny"}', h);
        await rejects(400, 'ERR_DUPLICATE_KEY', '{"model":"m","output":1,"context":{"user":"a","user":"b"}}', h);
      });
    });

    describe('when a key or the model name holds a bidirectional control', () => {
      it('answers 400 ERR_BIDI_CONTROL and stores nothing', async () => {
        await rejects(400, 'ERR_BIDI_CONTROL', '{"model":"m","output":1,"context":{"approved\u202e":true}}', h);
        await rejects(400, 'ERR_BIDI_CONTROL', '{"model":"m","output":1,"context":{"x\\u2066":true}}', h);
        await rejects(400, 'ERR_BIDI_CONTROL', { model: 'gpt\u202e4-oinim', output: 1 });
      });

      it('keeps one in a free-form output value', async () => {
        const res = await post({ model: 'm', output: 'مرحبا \u2067abc\u2069' });
        expect(res.statusCode, res.body).toBe(200);
      });
    });
  });
});

describe('POST /v1/decisions size before work', () => {
  let counted: TestNode;
  let evaluated = 0;
  beforeAll(async () => {
    const policy = {
      evaluate: () => {
        evaluated++;
        return { allowed: true, deny: [], warn: [], policyVersion: 1 };
      },
    } as unknown as PolicyPort;
    counted = await startTestNode({ policy });
  });
  afterAll(async () => {
    await counted.close();
  });

  describe('when a record is far over 64 KiB', () => {
    it('answers 413 ERR_RECORD_TOO_LARGE without evaluating any record of the request', async () => {
      const huge = { model: 'm', output: 'x'.repeat(15 * 1024 * 1024) };
      for (const payload of [huge, [decision(1), decision(2), huge]]) {
        const res = await counted.app.inject({
          method: 'POST',
          url: '/v1/decisions',
          headers: counted.auth('ingest'),
          payload,
        });
        expect(res.statusCode, res.body).toBe(413);
        expect(res.json().error.code).toBe('ERR_RECORD_TOO_LARGE');
      }
      expect(evaluated).toBe(0);
      expect(counted.log.size).toBe(0);
    });

    it('counts many small values against the limit too', async () => {
      const wide = { model: 'm', output: Array.from({ length: 40_000 }, (_, i) => i) };
      const res = await counted.app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: counted.auth('ingest'),
        payload: wide,
      });
      expect(res.json().error.code).toBe('ERR_RECORD_TOO_LARGE');
      expect(evaluated).toBe(0);
    });
  });

  describe('when every record is within 64 KiB', () => {
    it('evaluates each once', async () => {
      const res = await counted.app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: counted.auth('ingest'),
        payload: [decision(1), decision(2)],
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(evaluated).toBe(2);
    });
  });
});
