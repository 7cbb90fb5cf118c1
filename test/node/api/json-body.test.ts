import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from './harness.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node.close();
});

function post(url: string, payload: string) {
  return node.app.inject({
    method: 'POST',
    url,
    headers: { ...node.auth('admin'), 'content-type': 'application/json' },
    payload,
  });
}

describe('installStrictJson', () => {
  describe('when any JSON route gets a body JSON.parse would change', () => {
    it.each([
      ['/v1/tokens', '{"role":"auditor","role":"admin"}', 'ERR_DUPLICATE_KEY'],
      ['/v1/federation', '{"name":"x","name":"y"}', 'ERR_DUPLICATE_KEY'],
      ['/v1/federation', '{"name":"x","thresholds":{"policy":1e400}}', 'ERR_LOSSY_NUMBER'],
      ['/v1/tokens', '{"role\u202e":"admin"}', 'ERR_BIDI_CONTROL'],
    ])('POST %s %s answers 400 %s', async (url, payload, code) => {
      const res = await post(url, payload);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe(code);
    });

    it('creates no token for a duplicated role', async () => {
      const before = (await node.app.inject({ method: 'GET', url: '/v1/node', headers: node.auth('admin') }))
        .statusCode;
      expect(before).toBe(200);
      const res = await post('/v1/tokens', '{"role":"auditor","role":"admin"}');
      expect(res.json()).not.toHaveProperty('token');
    });
  });

  describe('when the body is not JSON or tries prototype pollution', () => {
    it.each([
      ['{"role": "admin"', 'ERR_INVALID_JSON'],
      ['', 'ERR_INVALID_JSON'],
      ['{"role":"admin","__proto__":{"x":1}}', 'ERR_INVALID_JSON'],
      ['{"role":"admin","constructor":{"prototype":{"x":1}}}', 'ERR_INVALID_JSON'],
    ])('answers %j with 400 %s', async (payload, code) => {
      const res = await post('/v1/tokens', payload);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe(code);
    });
  });

  describe('when a federation name holds a bidi control', () => {
    it('answers 400 ERR_BIDI_CONTROL before asking the federation service', async () => {
      const res = await post('/v1/federation', JSON.stringify({ name: 'Acme \u2067evil\u2069' }));
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('ERR_BIDI_CONTROL');
    });
  });
});
