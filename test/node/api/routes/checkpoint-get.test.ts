import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint, parseVerifierKey } from '../../../../protocol/note/index.ts';
import { decision, startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node.close();
});

describe('GET /v1/log/checkpoint', () => {
  describe('when asked with any valid token', () => {
    it('returns the latest signed note as text/plain, verifiable with the node’s key', async () => {
      for (const role of ['ingest', 'auditor', 'admin'] as const) {
        const res = await node.app.inject({ url: '/v1/log/checkpoint', headers: node.auth(role) });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
        const opened = openCheckpoint(res.body, parseVerifierKey(node.home.config.verifierKey));
        expect(opened.checkpoint.origin).toBe(node.home.config.origin);
        expect(opened.checkpoint.size).toBe(node.log.checkpoint().size);
      }
    });
  });

  describe('when the log grew and a checkpoint was signed', () => {
    it('returns the new checkpoint', async () => {
      await node.app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: node.auth('ingest'),
        payload: decision(1),
      });
      await node.log.checkpointNow();
      const res = await node.app.inject({ url: '/v1/log/checkpoint', headers: node.auth('auditor') });
      const opened = openCheckpoint(res.body, parseVerifierKey(node.home.config.verifierKey));
      expect(opened.checkpoint.size).toBe(node.log.size);
    });
  });

  describe('when there is no token', () => {
    it('answers 401', async () => {
      expect((await node.app.inject({ url: '/v1/log/checkpoint' })).statusCode).toBe(401);
    });
  });
});
