import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint, parseVerifierKey } from '../../../../protocol/note/index.ts';
import { decision, startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode(); // checkpoint interval 60 s: only explicit signing happens
});
afterAll(async () => {
  await node.close();
});

function sign(headers: Record<string, string>, payload?: unknown) {
  return node.app.inject({ method: 'POST', url: '/v1/log/checkpoint', headers, payload: payload as string });
}

describe('POST /v1/log/checkpoint', () => {
  describe('when the log grew since the last checkpoint', () => {
    it('signs a checkpoint covering the new size and returns it', async () => {
      await node.app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: node.auth('ingest'),
        payload: [decision(1), decision(2)],
      });
      expect(node.log.checkpoint().size).toBe(0);
      const res = await sign(node.auth('admin'));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      const opened = openCheckpoint(res.body, parseVerifierKey(node.home.config.verifierKey));
      expect(opened.checkpoint.size).toBe(2);
      expect(node.log.checkpoint().size).toBe(2);
    });
  });

  describe('when the body is {} or absent', () => {
    it('accepts both', async () => {
      expect((await sign(node.auth('admin'), {})).statusCode).toBe(200);
      expect((await sign(node.auth('admin'))).statusCode).toBe(200);
    });
  });

  describe('when the body has fields', () => {
    it('answers 400 ERR_VALIDATION', async () => {
      const res = await sign(node.auth('admin'), { size: 5 });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('ERR_VALIDATION');
    });
  });

  describe('when the token is not an admin’s', () => {
    it('answers 403 for ingest and auditor tokens', async () => {
      expect((await sign(node.auth('ingest'))).statusCode).toBe(403);
      expect((await sign(node.auth('auditor'))).statusCode).toBe(403);
    });
  });
});
