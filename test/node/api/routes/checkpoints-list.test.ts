import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint, parseVerifierKey } from '../../../../protocol/note/index.ts';
import { decision, startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
  for (let i = 0; i < 3; i++) {
    await node.app.inject({ method: 'POST', url: '/v1/decisions', headers: node.auth('ingest'), payload: decision(i) });
    await node.log.checkpointNow();
  }
});
afterAll(async () => {
  await node.close();
});

function list(query: string) {
  return node.app.inject({ url: `/v1/log/checkpoints${query}`, headers: node.auth('auditor') });
}

describe('GET /v1/log/checkpoints', () => {
  describe('when asked for all', () => {
    it('lists every signed checkpoint, oldest first, each verifiable', async () => {
      const res = await list('');
      expect(res.statusCode).toBe(200);
      const { checkpoints } = res.json();
      expect(checkpoints.map((c: { size: number }) => c.size)).toEqual([0, 1, 2, 3]);
      const v = parseVerifierKey(node.home.config.verifierKey);
      for (const c of checkpoints) expect(openCheckpoint(c.note, v).checkpoint.size).toBe(c.size);
    });
  });

  describe('when given from and limit', () => {
    it('starts at `from` and stops after `limit`', async () => {
      const { checkpoints } = (await list('?from=1&limit=2')).json();
      expect(checkpoints.map((c: { size: number }) => c.size)).toEqual([1, 2]);
    });
  });

  describe('when the parameters are bad', () => {
    it.each(['?limit=0', '?limit=1001', '?from=-1', '?from=a', '?size=1'])('answers 400 for %s', async (q) => {
      const res = await list(q);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('ERR_VALIDATION');
    });
  });
});
