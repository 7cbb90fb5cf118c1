/**
 * Members learn each other's addresses (sync `get-addresses`, protocol/federation/sync.ts): an invite
 * names only the inviter and one other member, so without it a federation of five stays a partial mesh
 * — pairs that never dialled each other never do, and a partition can split a side into islands. With it,
 * every member ends up connected to every other, by sync alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir } from '../helpers/cli.ts';
import { killAllDaemons } from '../helpers/daemon.ts';
import { type FedNode, fedStatus, formFederation, startFedNode, waitFor } from '../helpers/federation.ts';

const ORGS: [string, string][] = [
  ['a', 'DE'],
  ['b', 'FR'],
  ['c', 'IT'],
  ['d', 'ES'],
  ['e', 'NL'],
];
let nodes: FedNode[] = [];

beforeAll(async () => {
  for (const [org, j] of ORGS) nodes.push(await startFedNode(org, j));
  await formFederation(nodes);
}, 240_000);

afterAll(async () => {
  await killAllDaemons();
  await Promise.all(nodes.map((n) => removeDir(n.tmp)));
  nodes = [];
});

describe('member addresses', () => {
  describe('when five orgs join through invites that each name two members', () => {
    it('connects every member to every other (a full mesh), learnt through sync', async () => {
      const missing = async () => {
        const gaps: string[] = [];
        for (const n of nodes) {
          const s = await fedStatus(n);
          for (const m of s.members) if (m.peerId !== n.init.peerId && !m.connected) gaps.push(`${n.org}→${m.org}`);
        }
        return gaps;
      };
      await waitFor('a full mesh', async () => (await missing()).length === 0, 60_000).catch(async (err) => {
        throw new Error(`${String(err)}; not connected: ${(await missing()).join(', ')}`);
      });
      expect(await missing()).toEqual([]);
    }, 90_000);
  });
});
