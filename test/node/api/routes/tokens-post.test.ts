import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decision, startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node.close();
});

function create(payload: unknown, role: 'admin' | 'ingest' | 'auditor' = 'admin') {
  return node.app.inject({ method: 'POST', url: '/v1/tokens', headers: node.auth(role), payload: payload as string });
}

describe('POST /v1/tokens', () => {
  describe('when an admin asks for a token', () => {
    it('returns a token that works at once with its role and stores only its hash', async () => {
      const res = await create({ role: 'ingest' });
      expect(res.statusCode).toBe(200);
      const t = res.json();
      expect(Object.keys(t).sort()).toEqual(['id', 'role', 'token']);
      expect(t.role).toBe('ingest');
      expect(t.token).toMatch(/^gf_ingest_[A-Za-z0-9_-]{43}$/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(await readFile(node.home.paths.tokens, 'utf8')).not.toContain(t.token);
      const post = await node.app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: { authorization: `Bearer ${t.token}` },
        payload: decision(1),
      });
      expect(post.statusCode).toBe(200);
      const forbidden = await node.app.inject({
        url: '/v1/decisions/0',
        headers: { authorization: `Bearer ${t.token}` },
      });
      expect(forbidden.statusCode).toBe(403);
    });

    it('logs the token id and role but not the token', async () => {
      const t = (await create({ role: 'auditor' })).json();
      const event = node.events.find((e) => e.event === 'token:created' && e.fields?.id === t.id);
      expect(event?.fields).toEqual({ id: t.id, role: 'auditor' });
      expect(JSON.stringify(node.events)).not.toContain(t.token);
    });
  });

  describe('when the body is wrong', () => {
    it.each([{}, { role: 'root' }, { role: 'admin', extra: 1 }, { role: ['admin'] }])(
      'answers 400 for %j',
      async (b) => {
        const res = await create(b);
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe('ERR_VALIDATION');
      },
    );
  });

  describe('when the caller is not an admin', () => {
    it('answers 403', async () => {
      expect((await create({ role: 'admin' }, 'ingest')).statusCode).toBe(403);
      expect((await create({ role: 'admin' }, 'auditor')).statusCode).toBe(403);
    });
  });
});
