/**
 * The hostile client (test/helpers/hostile.ts) against two real daemons: playing member b with b's own
 * peer key (b's daemon stopped), it connects to a, receives a's (freshness) gossip, speaks sync; an outsider with a
 * fresh key is refused by the member-only gate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSyncMessage, encodeSyncMessage } from '../../../protocol/federation/sync.ts';
import { SYNC_PROTOCOL } from '../../../protocol/federation/topics.ts';
import { type FedNode, fedStatus, formFederation, startFedNode, waitFor } from '../../helpers/federation.ts';
import { HostileClient, peerKeyOfHome } from '../../helpers/hostile.ts';
import { tearDown } from './setup.ts';

let a: FedNode;
let b: FedNode;
let federationId = '';
const clients: HostileClient[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([startFedNode('a', 'DE'), startFedNode('b', 'FR')]);
  ({ federationId } = await formFederation([a, b]));
  await b.daemon.stop();
}, 90_000);

afterAll(() => tearDown([a, b], clients));

describe('HostileClient', () => {
  describe("when it plays member b with b's peer key", () => {
    it("connects, receives a's freshness gossip and gets answers on /govfed/sync/1.0.0", async () => {
      const h = await HostileClient.start({ federationId, peerKey: await peerKeyOfHome(b.home) });
      clients.push(h);
      expect(h.peerId).toBe(b.init.peerId);
      const addr = (await fedStatus(a)).addresses[0] as string;
      expect(await h.dial(addr)).toBe(a.init.peerId);
      // (a's checkpoints are no longer gossiped until witnessed, and b — this client — witnesses nothing;
      // a signs a freshness statement when a member connects and every 10 s)
      h.subscribe('freshness');
      await waitFor('a to see b connected', async () =>
        (await fedStatus(a)).members.some((m) => m.org === 'b' && m.connected),
      );
      const got = await h.waitForMessage('freshness', () => true, 25_000);
      expect(got.from).toBe(a.init.peerId);
      const reply = decodeSyncMessage(
        await h.request(a.init.peerId, SYNC_PROTOCOL, encodeSyncMessage({ type: 'get-charters', from: 1 })),
      );
      expect(reply.type).toBe('charters');
      expect(reply.type === 'charters' && reply.envelopes.length).toBe(2);
    }, 40_000);
  });

  describe('when it plays an outsider with a fresh key', () => {
    it('is refused by the member-only gate', async () => {
      const h = await HostileClient.start({ federationId });
      clients.push(h);
      const addr = (await fedStatus(a)).addresses[0] as string;
      let refused = false;
      try {
        await h.dial(addr);
        await waitFor('the gate to close the connection', async () => !h.connected(a.init.peerId), 5000);
        refused = true;
      } catch {
        refused = true;
      }
      expect(refused).toBe(true);
      expect(h.connected(a.init.peerId)).toBe(false);
      expect((await fedStatus(a)).rejected.ERR_UNKNOWN_SIGNER ?? 0).toBeGreaterThan(0);
    }, 20_000);
  });
});
