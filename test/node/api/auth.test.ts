import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Access, allows, bearerToken } from '../../../node/api/auth.ts';
import { createToken, type Role } from '../../../node/home/tokens.ts';
import { startTestNode, type TestNode } from './harness.ts';

describe('allows', () => {
  const table: [Access, Record<Role | 'none', boolean>][] = [
    ['public', { none: true, ingest: true, auditor: true, admin: true }],
    ['any', { none: false, ingest: true, auditor: true, admin: true }],
    ['ingest', { none: false, ingest: true, auditor: false, admin: true }],
    ['auditor', { none: false, ingest: false, auditor: true, admin: true }],
    ['admin', { none: false, ingest: false, auditor: false, admin: true }],
  ];
  describe('when checking each role against each access level', () => {
    it.each(table)('grants %s as specified', (access, want) => {
      for (const role of ['none', 'ingest', 'auditor', 'admin'] as const) {
        expect(allows(role === 'none' ? undefined : role, access), `${role} on ${access}`).toBe(want[role]);
      }
    });
  });
});

describe('bearerToken', () => {
  const req = (authorization?: string) => ({ headers: { authorization } }) as never;
  describe('when the header is well-formed', () => {
    it('returns the token, whatever the case of the scheme', () => {
      expect(bearerToken(req('Bearer abc'))).toBe('abc');
      expect(bearerToken(req('bearer abc'))).toBe('abc');
    });
  });
  describe('when the header is missing or malformed', () => {
    it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'Bearer a b', `Bearer ${'a'.repeat(600)}`])(
      'returns undefined for %j',
      (h) => {
        expect(bearerToken(req(h))).toBeUndefined();
      },
    );
  });
});

describe('access control over HTTP', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode({ tokenReloadMs: 0 });
  });
  afterAll(async () => {
    await node.close();
  });

  describe('when the token is missing, malformed or unknown', () => {
    it.each([
      [{}, 'Bearer realm="govfed"'],
      [{ authorization: 'Basic dXNlcjpwYXNz' }, 'Bearer realm="govfed"'],
      [{ authorization: 'Bearer not-a-token' }, 'Bearer realm="govfed", error="invalid_token"'],
      [{ authorization: `Bearer gf_admin_${'A'.repeat(43)}` }, 'Bearer realm="govfed", error="invalid_token"'],
    ])('answers 401 ERR_UNAUTHORIZED for %j', async (headers, challenge) => {
      const res = await node.app.inject({ url: '/v1/node', headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe(challenge);
      expect(res.json().error.code).toBe('ERR_UNAUTHORIZED');
    });
  });

  describe('when a valid token lacks the role', () => {
    it('answers 403 ERR_FORBIDDEN with insufficient_scope', async () => {
      const res = await node.app.inject({ url: '/v1/decisions/0', headers: node.auth('ingest') });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('ERR_FORBIDDEN');
      expect(res.headers['www-authenticate']).toContain('insufficient_scope');
    });
  });

  describe('when a token is created while the API runs', () => {
    it('accepts it without a restart', async () => {
      const t = await createToken(node.home.dir, 'auditor');
      const res = await node.app.inject({ url: '/v1/node', headers: { authorization: `Bearer ${t.token}` } });
      expect(res.statusCode).toBe(200);
    });
  });
});
