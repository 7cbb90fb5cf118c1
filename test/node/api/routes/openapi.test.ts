import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node.close();
});

describe('GET /openapi.json', () => {
  describe('when called without a token', () => {
    it('returns the OpenAPI 3.1 document with every route of the issue', async () => {
      const res = await node.app.inject({ url: '/openapi.json' });
      expect(res.statusCode).toBe(200);
      const doc = res.json();
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/v1/node',
          '/v1/decisions',
          '/v1/decisions/{index}',
          '/v1/log/checkpoint',
          '/v1/log/entries/{index}',
          '/v1/log/proofs/inclusion',
          '/v1/log/proofs/consistency',
          '/metrics',
        ]),
      );
      expect(doc.paths['/openapi.json']).toBeUndefined();
    });
  });
});
