/**
 * The follower guard (node/api/follower.ts) on a real app: what a follower of a shared log serves, what
 * it refuses (ERR_NOT_LEADER, 503 with Retry-After, naming the lease holder), and decisions refused until
 * it has the org's rules.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FOLLOWER_ROUTES, type FollowerPort } from '../../../node/api/follower.ts';
import { decision, startTestNode, type TestNode } from './harness.ts';

let node: TestNode | undefined;
afterEach(async () => {
  await node?.close();
  node = undefined;
});

function port(over: Partial<{ following: boolean; leader: string; ready: boolean }> = {}): FollowerPort {
  return {
    following: () => over.following ?? true,
    leader: () => over.leader,
    ready: () => over.ready ?? true,
  };
}

describe('the follower guard', () => {
  describe('when the process follows', () => {
    it('serves the log, decisions and health, and refuses the rest with ERR_NOT_LEADER naming the leader', async () => {
      node = await startTestNode({ follower: port({ leader: 'http://10.0.0.1:7370' }) });
      const admin = node.auth('admin');
      const ok = await node.app.inject({ method: 'GET', url: '/v1/log/checkpoint', headers: admin });
      expect(ok.statusCode).toBe(200);
      expect((await node.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ ready: true });
      expect((await node.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      const posted = await node.app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: admin,
        payload: decision(),
      });
      expect(posted.statusCode).toBe(200);
      for (const [method, url] of [
        ['GET', '/v1/policy'],
        ['PUT', '/v1/policy/local'],
        ['POST', '/v1/tokens'],
        ['GET', '/v1/federation'],
        ['GET', '/v1/models'],
      ] as const) {
        const res = await node.app.inject({
          method,
          url,
          headers: admin,
          ...(method === 'GET' ? {} : { payload: {} }),
        });
        expect(res.statusCode, `${method} ${url}`).toBe(503);
        expect(res.headers['retry-after']).toBeDefined();
        const body = res.json() as { error: { code: string; message: string } };
        expect(body.error.code).toBe('ERR_NOT_LEADER');
        expect(body.error.message).toContain('http://10.0.0.1:7370');
      }
    });

    it('asks for a token before it says where to go (401 first)', async () => {
      node = await startTestNode({ follower: port() });
      const res = await node.app.inject({ method: 'GET', url: '/v1/policy' });
      expect(res.statusCode).toBe(401);
    });

    it("refuses decisions until it has read the lease holder's rules", async () => {
      node = await startTestNode({ follower: port({ ready: false }) });
      const res = await node.app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: node.auth('admin'),
        payload: decision(),
      });
      expect(res.statusCode).toBe(503);
      expect((res.json() as { error: { code: string } }).error.code).toBe('ERR_NOT_LEADER');
      expect(node.log.size).toBe(0);
      const ready = await node.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ ready: false, code: 'ERR_NOT_LEADER' });
    });
  });

  describe('when the process leads', () => {
    it('guards nothing', async () => {
      node = await startTestNode({ follower: port({ following: false }) });
      const res = await node.app.inject({ method: 'GET', url: '/v1/policy', headers: node.auth('admin') });
      expect(res.statusCode).not.toBe(503);
    });
  });

  it('lists only routes the app has', async () => {
    node = await startTestNode();
    for (const r of FOLLOWER_ROUTES) {
      const [method, url] = r.split(' ') as [string, string];
      expect(node.app.hasRoute({ method: method as 'GET', url }), r).toBe(true);
    }
  });
});
