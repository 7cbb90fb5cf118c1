import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node.close();
});

describe('GET /v1/node', () => {
  describe('when asked with any valid token', () => {
    it('returns the node’s identity and log status, and nothing else', async () => {
      const c = node.home.config;
      for (const role of ['ingest', 'auditor', 'admin'] as const) {
        const res = await node.app.inject({ url: '/v1/node', headers: node.auth(role) });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({
          org: 'test',
          jurisdiction: 'EU',
          peerId: c.peerId,
          origin: c.origin,
          verifierKey: c.verifierKey,
          api: c.api,
          listen: c.listen,
          version: expect.any(String),
          startedAt: expect.any(String),
          uptimeSeconds: expect.any(Number),
          log: { size: 0, checkpointSize: 0, pending: 0, checkpointLagMs: expect.any(Number), writable: true },
        });
      }
    });

    it('discloses no key material or token', async () => {
      const body = (await node.app.inject({ url: '/v1/node', headers: node.auth('admin') })).body;
      const logKey = (await readFile(node.home.paths.logKey, 'utf8')).trim();
      // "PRIVATE+KEY+<name>+<hash>+<base64 seed>": the base64 itself may contain '+'.
      const seedB64 = logKey.split('+').slice(4).join('+');
      expect(seedB64.length).toBe(44);
      expect(body).not.toContain(seedB64);
      expect(body).not.toContain('PRIVATE');
      for (const t of Object.values(node.tokens)) expect(body).not.toContain(t);
    });
  });

  describe('when there is no token', () => {
    it('answers 401 with WWW-Authenticate: Bearer', async () => {
      const res = await node.app.inject({ url: '/v1/node' });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    });
  });
});
