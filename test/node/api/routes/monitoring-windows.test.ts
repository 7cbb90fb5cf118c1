/**
 * GET /v1/models/{name}/{version}/monitoring/windows at the HTTP edge: access and the bounds of the query
 * (attacker-controlled). The windows it pages through are tested with node/monitoring/history.ts
 * (test/node/monitoring/history.test.ts) and, against real daemons with real windows, by the console's
 * browser test (test/integration/console-charts-signatures.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHistoryCursor } from '../../../../node/monitoring/history.ts';
import { startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node.close();
});

const URL = '/v1/models/fraud/1.0.0/monitoring/windows';
const get = (query: string, role: 'ingest' | 'auditor' = 'auditor') =>
  node.app.inject({ url: `${URL}${query}`, headers: node.auth(role) });

describe('GET /v1/models/{name}/{version}/monitoring/windows', () => {
  describe('when the token is not an auditor’s', () => {
    it('refuses it (ERR_FORBIDDEN)', async () => {
      const res = await get('', 'ingest');
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('ERR_FORBIDDEN');
    });
  });

  describe('when the query is out of bounds', () => {
    it.each([
      ['limit 0', '?limit=0'],
      ['limit above 200', '?limit=201'],
      ['a monitor index above 63', '?monitor=64'],
      ['a monitor that is no index', '?monitor=-1'],
      ['a limit that is no number', '?limit=1e2'],
      ['an org that is no org name', '?member=a%0Ab'],
      ['an unknown key', '?since=1h'],
      ['a cursor of forbidden characters', '?cursor=a%2Bb'],
    ])('refuses %s (ERR_VALIDATION, 400)', async (_, query) => {
      const res = await get(query);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('ERR_VALIDATION');
    });

    it('refuses a cursor it did not give out (ERR_INVALID_CURSOR), before anything else', async () => {
      const res = await get(`?cursor=${encodeHistoryCursor('2027-01-01T00:00:00Z\nus\n1\n0\n1')}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('ERR_INVALID_CURSOR');
    });
  });

  describe('when the node runs without a model registry', () => {
    it('says so with a typed error, not a 500', async () => {
      const res = await get('?limit=5');
      expect(res.json().error).toMatchObject({ code: 'ERR_NO_FEDERATION' });
      expect(res.statusCode).toBeLessThan(500);
    });
  });
});
