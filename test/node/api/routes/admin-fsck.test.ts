import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decision, startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
  await node.app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: node.auth('ingest'),
    payload: Array.from({ length: 20 }, (_, i) => decision(i)),
  });
  await node.log.checkpointNow();
});
afterAll(async () => {
  await node.close();
});

describe('POST /v1/admin/fsck', () => {
  describe('when the log is intact', () => {
    it('reports ok with the sizes checked', async () => {
      const res = await node.app.inject({ method: 'POST', url: '/v1/admin/fsck', headers: node.auth('admin') });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        ok: true,
        size: 20,
        checkpointSize: 20,
        rootMatches: true,
        storedHashesMatch: true,
        checkpointsChecked: expect.any(Number),
        problems: [],
        findings: [],
        retired: [],
      });
    });
  });

  describe('when the token is not an admin’s', () => {
    it('answers 403', async () => {
      for (const role of ['ingest', 'auditor'] as const) {
        const res = await node.app.inject({ method: 'POST', url: '/v1/admin/fsck', headers: node.auth(role) });
        expect(res.statusCode).toBe(403);
        expect(res.json().error.code).toBe('ERR_FORBIDDEN');
      }
    });
  });
});
