/**
 * The /v1/policy and /v1/evaluate routes, and enforcement in POST /v1/decisions: access, schemas, and
 * the mapping to the policy port (a fake here; the real PolicyService is in test/node/policy and
 * test/integration/policy.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyPort } from '../../../../node/api/ports/policy.ts';
import { decodeLeaf } from '../../../../protocol/audit/leaf.ts';
import { GovfedError } from '../../../../protocol/errors.ts';
import { startTestNode, type TestNode } from '../harness.ts';

const RULE = { id: 'r1', hook: 'decision', effect: 'deny', expression: "decision.model == 'bad'", message: 'no' };
const BUNDLE = {
  type: 'govfed.policy/v1',
  federationId: 'f'.repeat(64),
  version: 1,
  previous: null,
  createdAt: '2025-01-01T00:00:00Z',
  expiresAt: '2025-02-01T00:00:00Z',
  rules: [RULE],
};
const VIEW = {
  id: `sha256:${'a'.repeat(64)}`,
  version: 1,
  signedBy: ['p1'],
  required: 2,
  complete: false,
  applied: false,
  expiresAt: '2025-01-02T00:00:00Z',
  bundle: BUNDLE,
};
const LOCAL = { version: 1, updatedAt: '2025-01-01T00:00:00Z', rules: [RULE] };

function fakePort(calls: unknown[]): PolicyPort {
  const record = <T>(call: unknown[], result: T): T => {
    calls.push(call);
    return result;
  };
  return {
    evaluate: ((hook: string, input: { model?: string }) => {
      calls.push(['evaluate', hook]);
      const denied = input.model === 'bad';
      return {
        allowed: !denied,
        deny: denied
          ? [
              { rule: 'r1', message: 'no', scope: 'global' },
              { rule: 'l1', message: 'mine', scope: 'local' },
            ]
          : [],
        warn: [{ rule: 'w1', message: 'careful', scope: 'global' }],
        policyVersion: 4,
      };
    }) as PolicyPort['evaluate'],
    propose: async (file) => record(['propose', file], VIEW),
    sign: async (id) => record(['sign', id], { ...VIEW, signedBy: ['p1', 'p2'], complete: true, applied: true }),
    check: (value) =>
      record(['check', value], {
        ok: false,
        errors: [{ code: 'ERR_RULE_TOO_COSTLY', rule: 'r1', message: 'bad', line: 1, column: 3 }],
      }),
    setLocal: async (input) => record(['setLocal', input], LOCAL),
    local: () => LOCAL,
    show: () => ({
      version: 1,
      digest: VIEW.id,
      createdAt: BUNDLE.createdAt,
      expiresAt: BUNDLE.expiresAt,
      expired: true,
      rules: BUNDLE.rules as never,
      envelope: { payloadType: 't', payload: 'AA==', signatures: [{ keyid: 'p1', sig: 'AA==' }] },
      local: LOCAL as never,
    }),
    policyStatus: () => ({
      federated: true,
      self: {
        org: 'test',
        peerId: 'p1',
        version: 1,
        digest: VIEW.id,
        expiresAt: BUNDLE.expiresAt,
        expired: false,
        appliedAt: '2025-01-01T00:00:01Z',
        logIndex: 7,
        localVersion: 1,
        localRules: 1,
      },
      members: [{ org: 'test', peerId: 'p1', self: true, version: 1, bundleHash: VIEW.id, receipt: null }],
      pending: [],
      forks: [],
      rejected: { ERR_POLICY_ROLLBACK: 2 },
    }),
    baselineAt: (version: number) =>
      version === 1 ? { baseline: BUNDLE as never, digest: VIEW.id.slice('sha256:'.length) } : undefined,
  } as PolicyPort;
}

let node: TestNode | undefined;
afterEach(async () => {
  await node?.close();
  node = undefined;
});

describe('policy routes', () => {
  describe('when the node runs without a policy service', () => {
    it('answers 409 ERR_NO_POLICY and ingests decisions without a verdict', async () => {
      node = await startTestNode();
      const res = await node.app.inject({ method: 'GET', url: '/v1/policy', headers: node.auth('auditor') });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('ERR_NO_POLICY');
      const d = await node.app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: node.auth('ingest'),
        payload: { model: 'bad', output: 1 },
      });
      expect(Object.keys(d.json().entries[0]).sort()).toEqual(['index', 'leafHash']);
      expect('verdict' in decodeLeaf(await node.log.entry(0))).toBe(false);
    });
  });

  describe('when a token without the admin role changes policy', () => {
    it('answers 403 for propose, sign and local set, and lets any token read', async () => {
      node = await startTestNode({ policy: fakePort([]) });
      const n = node;
      for (const [method, url, payload] of [
        ['POST', '/v1/policy/proposals', { rules: [] }],
        ['POST', `/v1/policy/proposals/${'a'.repeat(8)}/signatures`, {}],
        ['PUT', '/v1/policy/local', { rules: [] }],
      ] as const) {
        const res = await n.app.inject({ method, url, headers: n.auth('ingest'), payload });
        expect(res.statusCode, url).toBe(403);
      }
      for (const url of ['/v1/policy', '/v1/policy/status', '/v1/policy/local']) {
        expect((await n.app.inject({ method: 'GET', url, headers: n.auth('auditor') })).statusCode, url).toBe(200);
      }
      const ev = await n.app.inject({
        method: 'POST',
        url: '/v1/evaluate',
        headers: n.auth('auditor'),
        payload: { hook: 'decision', input: { model: 'm' } },
      });
      expect(ev.statusCode).toBe(403);
    });
  });

  describe('when an admin calls the routes', () => {
    it('passes propose, sign, check and local set to the port and returns their views', async () => {
      const calls: unknown[] = [];
      node = await startTestNode({ policy: fakePort(calls) });
      const n = node;
      const req = (method: 'POST' | 'PUT', url: string, payload: object) =>
        n.app.inject({ method, url, headers: n.auth('admin'), payload });
      const p = await req('POST', '/v1/policy/proposals', { rules: [RULE], expiresAt: '2030-01-01T00:00:00Z' });
      expect(p.statusCode).toBe(200);
      expect(p.json()).toEqual(VIEW);
      const s = await req('POST', `/v1/policy/proposals/sha256:${'a'.repeat(12)}/signatures`, {});
      expect(s.json()).toMatchObject({ complete: true, applied: true });
      const c = await req('POST', '/v1/policy/check', { rules: [RULE] });
      expect(c.json()).toEqual({
        ok: false,
        errors: [{ code: 'ERR_RULE_TOO_COSTLY', rule: 'r1', message: 'bad', line: 1, column: 3 }],
      });
      const l = await req('PUT', '/v1/policy/local', { rules: [RULE] });
      expect(l.json()).toEqual(LOCAL);
      expect(calls).toEqual([
        ['propose', { rules: [RULE], expiresAt: '2030-01-01T00:00:00Z' }],
        ['sign', `sha256:${'a'.repeat(12)}`],
        ['check', { rules: [RULE] }],
        ['setLocal', { rules: [RULE] }],
      ]);
    });

    it('shows the baseline and the status through their response schemas', async () => {
      node = await startTestNode({ policy: fakePort([]) });
      const show = await node.app.inject({ method: 'GET', url: '/v1/policy', headers: node.auth('admin') });
      expect(show.json()).toMatchObject({ version: 1, expired: true, rules: [RULE], local: LOCAL });
      const st = await node.app.inject({ method: 'GET', url: '/v1/policy/status', headers: node.auth('admin') });
      expect(st.json()).toMatchObject({ self: { version: 1, logIndex: 7 }, rejected: { ERR_POLICY_ROLLBACK: 2 } });
    });
  });

  describe('GET /v1/policy/versions/:version', () => {
    it('answers a held version with its rules and digests, and 404 ERR_NOT_FOUND for one not held', async () => {
      node = await startTestNode({ policy: fakePort([]) });
      const get = (v: string) =>
        (node as TestNode).app.inject({
          method: 'GET',
          url: `/v1/policy/versions/${v}`,
          headers: node?.auth('auditor'),
        });
      const one = await get('1');
      expect(one.statusCode).toBe(200);
      expect(one.json()).toEqual({
        version: 1,
        digest: 'a'.repeat(64),
        previous: null,
        createdAt: BUNDLE.createdAt,
        expiresAt: BUNDLE.expiresAt,
        rules: [RULE],
      });
      for (const v of ['0', '2']) {
        const r = await get(v);
        expect(r.statusCode).toBe(404);
        expect(r.json().error.code).toBe('ERR_NOT_FOUND');
      }
      const bad = await get('01');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('ERR_VALIDATION');
    });
  });

  describe('when the body is malformed', () => {
    it('answers 400 ERR_VALIDATION', async () => {
      node = await startTestNode({ policy: fakePort([]) });
      const n = node;
      for (const [method, url, payload] of [
        ['POST', '/v1/policy/proposals', { rules: 'x' }],
        ['POST', '/v1/policy/proposals', { rules: [], expiresAt: 'tomorrow' }],
        ['POST', '/v1/policy/proposals', { rules: [], extra: 1 }],
        ['POST', '/v1/policy/proposals/not-hex/signatures', {}],
        ['PUT', '/v1/policy/local', {}],
        ['POST', '/v1/evaluate', { hook: 'decision' }],
        ['POST', '/v1/evaluate', { hook: 'Decision!', input: {} }],
      ] as const) {
        const res = await n.app.inject({ method, url, headers: n.auth('admin'), payload });
        expect(res.statusCode, `${url} ${JSON.stringify(payload)}`).toBe(400);
        expect(res.json().error.code).toBe('ERR_VALIDATION');
      }
    });

    it('answers 400 with the protocol code when the port rejects a rule', async () => {
      const port = fakePort([]);
      port.propose = async () => {
        throw new GovfedError('ERR_INVALID_RULE', 'rules[0] "x": undeclared reference at 1:1');
      };
      node = await startTestNode({ policy: port });
      const res = await node.app.inject({
        method: 'POST',
        url: '/v1/policy/proposals',
        headers: node.auth('admin'),
        payload: { rules: [{}] },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toEqual({
        code: 'ERR_INVALID_RULE',
        message: 'rules[0] "x": undeclared reference at 1:1',
      });
    });
  });
});

describe('POST /v1/evaluate', () => {
  describe('when the input is evaluated', () => {
    it('returns the verdict', async () => {
      node = await startTestNode({ policy: fakePort([]) });
      const res = await node.app.inject({
        method: 'POST',
        url: '/v1/evaluate',
        headers: node.auth('ingest'),
        payload: { hook: 'decision', input: { model: 'bad' } },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ allowed: false, policyVersion: 4, warn: [{ rule: 'w1' }] });
    });
  });
});

describe('POST /v1/decisions with a policy', () => {
  describe('when a batch has an allowed and a denied decision', () => {
    it('logs both, records each verdict in its leaf and returns the verdicts', async () => {
      const calls: unknown[] = [];
      node = await startTestNode({ policy: fakePort(calls) });
      const res = await node.app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: node.auth('ingest'),
        payload: [
          { model: 'good', output: 'ok' },
          { model: 'bad', output: 'ok' },
        ],
      });
      expect(res.statusCode).toBe(200);
      const [a, b] = res.json().entries;
      expect(a).toMatchObject({ index: 0, allowed: true, deny: [], policyVersion: 4 });
      expect(b).toMatchObject({ index: 1, allowed: false, policyVersion: 4 });
      expect(b.deny.map((f: { rule: string }) => f.rule)).toEqual(['r1', 'l1']);
      expect(decodeLeaf(await node.log.entry(0))).toMatchObject({ policyVersion: 4, verdict: 'allowed' });
      expect(decodeLeaf(await node.log.entry(1))).toMatchObject({
        policyVersion: 4,
        verdict: 'denied',
        deny: ['r1', 'local:l1'],
      });
      expect(calls).toEqual([
        ['evaluate', 'decision'],
        ['evaluate', 'decision'],
      ]);
    });
  });

  describe('when a record is invalid', () => {
    it('answers 400 before evaluating anything', async () => {
      const calls: unknown[] = [];
      node = await startTestNode({ policy: fakePort(calls) });
      const res = await node.app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: node.auth('ingest'),
        payload: [{ model: 'good', output: 'ok', decisionId: 'a b' }],
      });
      expect(res.statusCode).toBe(400);
      expect(calls).toEqual([]);
    });
  });
});
