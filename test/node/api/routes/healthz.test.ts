import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node.close();
});

describe('GET /healthz', () => {
  describe('when called without a token', () => {
    it('answers 200 {status: ok}', async () => {
      const res = await node.app.inject({ url: '/healthz' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
    });
  });

  describe('when given a query parameter', () => {
    it('answers 400 (nothing undeclared is accepted)', async () => {
      expect((await node.app.inject({ url: '/healthz?verbose=1' })).statusCode).toBe(400);
    });
  });
});
