/**
 * The /v1/federation routes: access, schemas, and the mapping to the federation port.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FederationPort } from '../../../../node/api/ports/federation.ts';
import type { FederationStatus } from '../../../../node/federation/index.ts';
import { startTestNode, type TestNode } from '../harness.ts';

const PEER = '12D3KooWRARowzzcmEe1ai4Qj9HpBHSo54WDKohf23xtBER5Ukd5';
/** The invitee's log and witness keys (the route passes them on; the node checks them). */
const KEYS = { logKey: 'govfed/us/0a1b2c3d+0a1b2c3d+AQ==', witnessKey: 'govfed/us/witness+0a1b2c3d+BA==' };

const status: FederationStatus = {
  federated: true,
  id: 'c'.repeat(64),
  name: 'F',
  charterVersion: 2,
  charterDigest: `sha256:${'d'.repeat(64)}`,
  thresholds: { admission: 1, policy: 2, charter: 1 },
  members: [
    {
      org: 'eu',
      peerId: PEER,
      jurisdiction: 'EU',
      logKey: null,
      witnessKey: null,
      retiredLogKeys: [],
      self: true,
      connected: false,
      lastSeen: null,
    },
  ],
  proposals: [],
  peerId: PEER,
  addresses: [`/ip4/127.0.0.1/tcp/1/p2p/${PEER}`],
  rejected: { ERR_BAD_SIGNATURE: 1 },
  lastSync: null,
  modules: {},
};

function fakePort(calls: unknown[]): FederationPort {
  const record = <T>(call: unknown[], result: T): T => {
    calls.push(call);
    return result;
  };
  return {
    status: () => status,
    chain: undefined,
    create: async (input) => record(['create', input], status),
    setThreshold: async (t) => record(['setThreshold', t], status),
    invite: async (input) => record(['invite', input], new TextEncoder().encode('{"invite":1}')),
    sign: async (ref) => record(['sign', ref], status),
    join: async (bytes) =>
      record(['join', new TextDecoder().decode(bytes)], { status, handoff: { delivered: 0, bootstrap: 2 } }),
    remove: async (org) => record(['remove', org], status),
    leave: async () => record(['leave'], status),
    withdraw: async (id) => record(['withdraw', id], status),
    rotateKey: async (key) => record(['rotateKey', key], status),
    setApprovalRule: async (tier, rule) => record(['setApprovalRule', tier, rule], status),
  };
}

let node: TestNode | undefined;
afterEach(async () => {
  await node?.close();
  node = undefined;
});

describe('GET /v1/federation', () => {
  describe('when the node runs without a federation service', () => {
    it('answers 409 ERR_NO_FEDERATION', async () => {
      node = await startTestNode();
      const res = await node.app.inject({ method: 'GET', url: '/v1/federation', headers: node.auth('auditor') });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('ERR_NO_FEDERATION');
    });
  });

  describe('when the node is in a federation', () => {
    it('returns the status to any token', async () => {
      node = await startTestNode({ federation: fakePort([]) });
      const res = await node.app.inject({ method: 'GET', url: '/v1/federation', headers: node.auth('ingest') });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(status);
    });
  });
});

describe('POST /v1/federation routes', () => {
  describe('when the token is not an admin token', () => {
    it('answers 403 ERR_FORBIDDEN', async () => {
      node = await startTestNode({ federation: fakePort([]) });
      const res = await node.app.inject({
        method: 'POST',
        url: '/v1/federation',
        headers: node.auth('ingest'),
        payload: { name: 'x' },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('ERR_FORBIDDEN');
    });
  });

  describe('when the body is valid', () => {
    it('passes create, thresholds, invite, sign and join to the port', async () => {
      const calls: unknown[] = [];
      node = await startTestNode({ federation: fakePort(calls) });
      const n = node;
      const post = (url: string, payload: object) =>
        n.app.inject({ method: 'POST', url, headers: n.auth('admin'), payload });
      expect((await post('/v1/federation', { name: 'F', thresholds: { policy: 2 } })).statusCode).toBe(200);
      expect((await post('/v1/federation/thresholds', { admission: 2 })).statusCode).toBe(200);
      const inv = await post('/v1/federation/invites', { org: 'us', peerId: PEER, jurisdiction: 'US', ...KEYS });
      expect(inv.json().invite).toBe('{"invite":1}');
      expect((await post('/v1/federation/proposals/sign', { id: 'sha256:abcdef12' })).statusCode).toBe(200);
      const joined = await post('/v1/federation/join', { invite: '{"x":1}' });
      expect(joined.statusCode).toBe(200);
      expect(joined.json().handoff).toEqual({ delivered: 0, bootstrap: 2 });
      expect((await post('/v1/federation/members/remove', { org: 'apac' })).statusCode).toBe(200);
      expect((await post('/v1/federation/leave', {})).statusCode).toBe(200);
      expect((await post('/v1/federation/proposals/withdraw', { id: 'abcdef12' })).statusCode).toBe(200);
      expect((await post('/v1/keys/rotate', { key: 'witness' })).statusCode).toBe(200);
      expect((await post('/v1/keys/rotate', { key: 'peer' })).statusCode).toBe(200);
      const rule = { tier: 'high', roles: ['risk_officer', 'legal'], orgs: 2 };
      expect((await post('/v1/federation/approval-rules', rule)).statusCode).toBe(200);
      expect((await post('/v1/federation/approval-rules', { tier: 'low', roles: ['model_owner'] })).statusCode).toBe(
        200,
      );
      expect((await post('/v1/federation/approval-rules', { tier: 'high', clear: true })).statusCode).toBe(200);
      expect(calls).toEqual([
        ['create', { name: 'F', thresholds: { policy: 2 } }],
        ['setThreshold', { admission: 2 }],
        ['invite', { org: 'us', peerId: PEER, jurisdiction: 'US', ...KEYS }],
        ['sign', 'sha256:abcdef12'],
        ['join', '{"x":1}'],
        ['remove', 'apac'],
        ['leave'],
        ['withdraw', 'abcdef12'],
        ['rotateKey', 'witness'],
        ['rotateKey', 'peer'],
        ['setApprovalRule', 'high', { roles: ['risk_officer', 'legal'], orgs: 2 }],
        ['setApprovalRule', 'low', { roles: ['model_owner'], orgs: 1 }],
        ['setApprovalRule', 'high', null],
      ]);
    });
  });

  describe('when the body is invalid', () => {
    it('answers 400 ERR_VALIDATION (bad peer id, empty thresholds, unknown field)', async () => {
      node = await startTestNode({ federation: fakePort([]) });
      const n = node;
      const post = (url: string, payload: object) =>
        n.app.inject({ method: 'POST', url, headers: n.auth('admin'), payload });
      for (const [url, body] of [
        ['/v1/federation/invites', { org: 'us', peerId: 'QmNotEd25519' }],
        ['/v1/federation/thresholds', {}],
        ['/v1/federation', { name: 'F', extra: 1 }],
        ['/v1/federation/proposals/sign', { id: 'sha256:abcdef12', envelope: {} }],
        ['/v1/federation/members/remove', { org: '../etc' }],
        ['/v1/federation/members/remove', {}],
        ['/v1/federation/leave', { now: true }],
        ['/v1/federation/proposals/withdraw', { id: 'zz' }],
        ['/v1/keys/rotate', { key: 'tls' }],
        ['/v1/federation/approval-rules', { tier: 'extreme', roles: ['legal'] }],
        ['/v1/federation/approval-rules', { tier: 'high' }],
        ['/v1/federation/approval-rules', { tier: 'high', roles: [] }],
        ['/v1/federation/approval-rules', { tier: 'high', roles: ['Legal!'] }],
        ['/v1/federation/approval-rules', { tier: 'high', roles: ['legal'], clear: true }],
        ['/v1/federation/approval-rules', { tier: 'high', orgs: 2, clear: true }],
      ] as const) {
        const res = await post(url, body);
        expect(res.statusCode, url).toBe(400);
        expect(res.json().error.code, url).toBe('ERR_VALIDATION');
      }
    });
  });

  describe('when an invite would admit a member without a log key or a witness key', () => {
    it('answers 400 ERR_UNPROVABLE_MEMBER naming what is missing, and proposes nothing', async () => {
      const calls: unknown[] = [];
      node = await startTestNode({ federation: fakePort(calls) });
      const n = node;
      for (const body of [
        { org: 'us', peerId: PEER },
        { org: 'us', peerId: PEER, logKey: KEYS.logKey },
        { org: 'us', peerId: PEER, witnessKey: KEYS.witnessKey },
      ]) {
        const res = await n.app.inject({
          method: 'POST',
          url: '/v1/federation/invites',
          headers: n.auth('admin'),
          payload: body,
        });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe('ERR_UNPROVABLE_MEMBER');
        expect(res.json().error.message).toMatch(/allowUnprovable/);
        if (body.logKey === undefined) expect(res.json().error.message).toMatch(/log key/);
        if (body.witnessKey === undefined) expect(res.json().error.message).toMatch(/witness key/);
      }
      expect(calls).toEqual([]);
    });
    it('invites with allowUnprovable: true', async () => {
      const calls: unknown[] = [];
      node = await startTestNode({ federation: fakePort(calls) });
      const res = await node.app.inject({
        method: 'POST',
        url: '/v1/federation/invites',
        headers: node.auth('admin'),
        payload: { org: 'us', peerId: PEER, allowUnprovable: true },
      });
      expect(res.statusCode).toBe(200);
      expect(calls).toEqual([['invite', { org: 'us', peerId: PEER, jurisdiction: 'ZZ' }]]);
    });
  });
});
