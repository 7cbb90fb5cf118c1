/**
 * GET /v1/federation/charters: the chain as signed, in pages, and the bounds of its query
 * (attacker-controlled). The chain is a real CharterChain of three versions (protocol fixtures).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FederationPort } from '../../../../node/api/ports/federation.ts';
import { CharterChain, verifyChain } from '../../../../protocol/federation/chain.ts';
import { addMembers, nextCharter } from '../../../../protocol/federation/charter.ts';
import type { Envelope } from '../../../../protocol/federation/envelope.ts';
import { makeGenesis, member, signedBy, T0 } from '../../../protocol/federation/fixtures.ts';
import { startTestNode, type TestNode } from '../harness.ts';

const g = makeGenesis([0]);
const chain = new CharterChain(signedBy(g, [0]));
const v2 = addMembers(g, [member(1)], T0);
chain.accept(signedBy(v2, [0, 1]));
chain.accept(signedBy(nextCharter(v2, { createdAt: T0 }), [0]));

let node: TestNode;
let bare: TestNode;
beforeAll(async () => {
  node = await startTestNode({ federation: { chain } as unknown as FederationPort });
  bare = await startTestNode();
});
afterAll(async () => {
  await node.close();
  await bare.close();
});

interface Page {
  federationId: string;
  version: number;
  charters: { version: number; digest: string; envelope: Envelope }[];
  next?: number;
}
const get = (n: TestNode, q = '', role: 'auditor' | 'ingest' = 'auditor') =>
  n.app.inject({ url: `/v1/federation/charters${q}`, headers: n.auth(role) });

describe('GET /v1/federation/charters', () => {
  describe('when the node is in a federation', () => {
    it('answers every version as signed, oldest first: the chain verifies from the genesis', async () => {
      const res = await get(node);
      expect(res.statusCode).toBe(200);
      const page = res.json() as Page;
      expect(page.federationId).toBe(chain.federationId);
      expect(page.version).toBe(3);
      expect(page.charters.map((c) => c.version)).toEqual([1, 2, 3]);
      expect(page.charters.map((c) => c.digest)).toEqual(chain.versions().map((e) => e.digest));
      expect(page.next).toBeUndefined();
      expect(
        verifyChain(
          page.federationId,
          page.charters.map((c) => c.envelope),
        ).head.digest,
      ).toBe(chain.head.digest);
    });

    it('pages with from and limit, and says where the next page starts', async () => {
      const first = (await get(node, '?limit=2')).json() as Page;
      expect(first.charters.map((c) => c.version)).toEqual([1, 2]);
      expect(first.next).toBe(3);
      const second = (await get(node, `?from=${first.next}&limit=2`)).json() as Page;
      expect(second.charters.map((c) => c.version)).toEqual([3]);
      expect(second.next).toBeUndefined();
      expect(((await get(node, '?from=9')).json() as Page).charters).toEqual([]);
    });
  });

  describe('when the query is out of bounds or the token is not an auditor’s', () => {
    it.each([
      ['limit 0', '?limit=0'],
      ['limit above 100', '?limit=101'],
      ['from 0', '?from=0'],
      ['a from that is no number', '?from=x'],
      ['an unknown key', '?to=3'],
    ])('refuses %s (ERR_VALIDATION)', async (_, q) => {
      const res = await get(node, q);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('ERR_VALIDATION');
    });

    it('refuses an ingest token (ERR_FORBIDDEN)', async () => {
      expect((await get(node, '', 'ingest')).json().error.code).toBe('ERR_FORBIDDEN');
    });
  });

  describe('when the node runs without a federation', () => {
    it('answers 409 ERR_NO_FEDERATION', async () => {
      const res = await get(bare);
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('ERR_NO_FEDERATION');
    });
  });
});
