/**
 * A member learns the addresses of members it was never introduced to from the federation (sync
 * `get-addresses`, in the very exchange that hands its inviter its admission), dials them at once, and
 * asks cross-org proofs of their logs from their own nodes: nobody relays a /govfed/log/1.0.0 request. Four real daemons on 127.0.0.1: a founds, b and c
 * join; a invites d, whose invite names a and one other member (y); the third member (x) is known to d
 * only through the federation. d proves an entry of x's log; then a and y stop, and d still proves it —
 * from x, the only node that could answer — while a proof of a's log is 503 ERR_PEER_UNAVAILABLE.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapPeer, parseInvite } from '../../protocol/federation/invite.ts';
import { verifyCrossOrgBundle } from '../../protocol/witness/bundle.ts';
import { removeDir } from '../helpers/cli.ts';
import { killAllDaemons } from '../helpers/daemon.ts';
import { postDecision } from '../helpers/decisions.ts';
import {
  adminPost,
  type FedNode,
  fedStatus,
  formFederation,
  startFedNode,
  waitFor,
  waitForVersion,
} from '../helpers/federation.ts';

const ORGS: [string, string][] = [
  ['a', 'DE'],
  ['b', 'FR'],
  ['c', 'IT'],
  ['d', 'ES'],
];
let nodes: FedNode[] = [];
let federationId = '';

interface WitnessOrigin {
  origin: string;
  witnessedSize: number | null;
}

const byOrg = (org: string) => nodes.find((n) => n.org === org) as FedNode;

async function connected(from: FedNode, to: FedNode): Promise<boolean> {
  return (await fedStatus(from)).members.some((m) => m.peerId === to.init.peerId && m.connected);
}

async function proof(from: FedNode, origin: string, index: number): Promise<Response> {
  const q = `origin=${encodeURIComponent(origin)}&index=${index}`;
  return await from.daemon.fetch(`/v1/proofs/inclusion?${q}`, { token: from.adminToken });
}

beforeAll(async () => {
  nodes = await Promise.all(ORGS.map(([org, j]) => startFedNode(org, j)));
  federationId = (await formFederation(nodes.slice(0, 3))).federationId;
}, 240_000);

afterAll(async () => {
  await killAllDaemons();
  await Promise.all(nodes.map((n) => removeDir(n.tmp)));
  nodes = [];
});

describe('cross-org proofs of a member one was never introduced to', () => {
  describe("when d joins with an invite naming a and y, and asks for an entry of x's log", () => {
    it('learns x’s address from the federation and gets the proof from x itself, relayed by nobody', async () => {
      const [a, d] = [byOrg('a'), byOrg('d')];
      const inv = await adminPost(a, '/v1/federation/invites', {
        org: 'd',
        peerId: d.init.peerId,
        jurisdiction: 'ES',
        logKey: d.init.verifierKey,
        witnessKey: d.init.witnessKey,
      });
      const introduced = new Set(
        parseInvite(new TextEncoder().encode(inv.invite as string)).bootstrap.map(bootstrapPeer),
      );
      // x: the member d's invite does not name (it names a and one other, y).
      const [x, y] = [byOrg('b'), byOrg('c')].sort(
        (p, q) => Number(introduced.has(p.init.peerId)) - Number(introduced.has(q.init.peerId)),
      ) as [FedNode, FedNode];
      expect(introduced.has(x.init.peerId)).toBe(false);

      await adminPost(d, '/v1/federation/join', { invite: inv.invite });
      const joined = Date.now();
      // The exchange that hands a its admission brings a's address book, and d dials what it learns at
      // once: connected long before d's first periodic sync round (SYNC_INTERVAL_MS = 5 s), where it
      // used to happen.
      await waitFor('d and x connected', async () => (await connected(d, x)) && (await connected(x, d)), 30_000);
      expect(Date.now() - joined).toBeLessThan(3000);
      await waitForVersion(nodes, 4);
      // d holds x's address (learnt from a member's address book, or from x dialling it): not from its invite.
      await waitFor("x's address in d's state.json", async () => {
        const file = path.join(d.home, 'federation', 'state.json');
        const state = JSON.parse(await readFile(file, 'utf8')) as { addresses: Record<string, string[]> };
        return (state.addresses[x.init.peerId]?.length ?? 0) > 0;
      });

      const { entry } = await postDecision(x, { model: 'scorer-1', decisionId: 'loan-7', output: { approve: true } });
      const origin = x.init.origin;
      const first = await waitFor(
        "d to prove x's entry",
        async () => {
          const res = await proof(d, origin, entry.index);
          return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined;
        },
        60_000,
      );
      expect(verifyCrossOrgBundle(first, { federationId }).origin).toBe(origin);

      await waitFor("d to hold a witnessed checkpoint of a's log", async () => {
        const w = (await fedStatus(d)).modules?.witness as { origins: WitnessOrigin[] } | undefined;
        return w?.origins.some((o) => o.origin === a.init.origin && (o.witnessedSize ?? 0) > 0) === true;
      });
      // With a and y (d's introducers) stopped, only x can answer about x's log.
      await a.daemon.kill9();
      await y.daemon.kill9();
      const again = await proof(d, origin, entry.index);
      expect(again.status).toBe(200);
      expect(verifyCrossOrgBundle((await again.json()) as Record<string, unknown>, { federationId }).origin).toBe(
        origin,
      );
      // A log whose owner is down: the typed error, not an answer through someone else.
      const down = await proof(d, a.init.origin, 0);
      expect(down.status).toBe(503);
      expect(((await down.json()) as { error: { code: string } }).error.code).toBe('ERR_PEER_UNAVAILABLE');
    }, 150_000);
  });
});
