/**
 * Attacks on the transport itself, against real daemons a and b (charter threshold 2, so that a
 * threshold change stays a pending proposal that shows gossip arrived):
 *
 *   1. handshake exhaustion — 24 bare TCP sockets from another address (127.0.0.2), re-opened as they
 *      close, against a; the real member b (restarted) still connects and its proposal reaches a; the
 *      per-source limit refused the surplus before any handshake (govfed_inbound_refused_total).
 *   2. oversized gossip — playing b with b's own key: a 2 MiB message is refused with
 *      ERR_MESSAGE_TOO_LARGE (status, metric, b's score drops) and the next normal message from b is
 *      delivered; a 5 MiB frame (unreadable) is refused as kind `rpc`, a hangs up, b reconnects and is
 *      heard again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { charterDigest } from '../../../protocol/federation/charter.ts';
import { envelopeBody } from '../../../protocol/federation/gossip.ts';
import { charterOf } from '../../../protocol/federation/proposal.ts';
import { decodeSyncMessage, encodeSyncMessage, MAX_SYNC_MESSAGE_BYTES } from '../../../protocol/federation/sync.ts';
import { SYNC_PROTOCOL } from '../../../protocol/federation/topics.ts';
import { LOG_PROTOCOL } from '../../../protocol/witness/log-protocol.ts';
import { DaemonProcess } from '../../helpers/daemon.ts';
import { adminPost, type FedNode, fedStatus, startFedNode, waitFor } from '../../helpers/federation.ts';
import { HostileClient, holdSockets, peerKeyOfHome, tcpPort, varint } from '../../helpers/hostile.ts';
import {
  chartersOf,
  counter,
  currentCharter,
  federateWith,
  rejected,
  scoreOn,
  scrape,
  tearDown,
  thresholdChange,
} from './setup.ts';

let a: FedNode;
let b: FedNode;
let federationId = '';
const clients: HostileClient[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([startFedNode('a', 'DE'), startFedNode('b', 'FR')]);
  federationId = await federateWith([a, b], { charter: 2 });
}, 90_000);

afterAll(() => tearDown([a, b], clients));

const proposalIds = async (n: FedNode) => (await fedStatus(n)).proposals.map((p) => p.id);

describe('inbound handshake exhaustion', () => {
  describe('when 24 silent sockets from another address are held against a node', () => {
    it('still lets a real member connect and gossip, and refuses the surplus before the handshake', async () => {
      await b.daemon.stop();
      const addr = (await fedStatus(a)).addresses[0] as string;
      const held = holdSockets(tcpPort(addr), 24, { localAddress: '127.0.0.2' });
      try {
        await new Promise((r) => setTimeout(r, 1500));
        expect(held.open()).toBeGreaterThan(0);
        b.daemon = await DaemonProcess.start(b.home);
        await waitFor(
          'b to reconnect to a',
          async () => (await fedStatus(a)).members.some((m) => m.org === 'b' && m.connected),
          20_000,
        );
        const proposed = (await adminPost(b, '/v1/federation/thresholds', { admission: 2 })) as {
          proposal?: { id?: string };
        };
        const id = proposed.proposal?.id as string;
        expect(id).toMatch(/^sha256:/);
        await waitFor("b's proposal to reach a", async () => (await proposalIds(a)).includes(id), 15_000);
        expect(held.opened()).toBeGreaterThan(24);
        const m = await scrape(a);
        expect(counter(m, 'govfed_inbound_refused_total', { reason: 'per-source-limit' })).toBeGreaterThan(0);
      } finally {
        held.release();
      }
    }, 60_000);
  });
});

describe('oversized gossip', () => {
  describe('when member b sends a message above the gossip bound, then a normal one', () => {
    it('refuses the first with a typed reason and a metric, lowers b’s score, and delivers the second', async () => {
      await b.daemon.stop();
      const h = await HostileClient.start({ federationId, peerKey: await peerKeyOfHome(b.home) });
      clients.push(h);
      const addr = (await fedStatus(a)).addresses[0] as string;
      await h.dial(addr);
      h.subscribe('proposal');
      await waitFor('a to subscribe to proposals (as b sees it)', async () =>
        h.subscribers('proposal').includes(a.init.peerId),
      );
      const prev = await currentCharter(h, a.init.peerId);
      const before = await rejected(a);

      await h.gossip('proposal', { pad: 'x'.repeat(2 << 20) }, { charterVersion: prev.version });
      await waitFor('a to refuse the 2 MiB message', async () => {
        const r = await rejected(a);
        return (r.ERR_MESSAGE_TOO_LARGE ?? 0) > (before.ERR_MESSAGE_TOO_LARGE ?? 0);
      });
      const env = thresholdChange(prev, { policy: 2 }, h.seed);
      await h.gossip('proposal', envelopeBody(env), { charterVersion: prev.version });
      const id = charterDigest(charterOf(env));
      await waitFor('the next message from b to be delivered', async () => (await proposalIds(a)).includes(id), 10_000);

      const m = await scrape(a);
      expect(
        counter(m, 'govfed_gossip_refused_total', {
          kind: 'proposal',
          reason: 'ERR_MESSAGE_TOO_LARGE',
          action: 'reject',
        }),
      ).toBeGreaterThanOrEqual(1);
      await waitFor("b's score on a to drop below 0", async () => ((await scoreOn(a, b.init.peerId)) ?? 0) < 0, 5000);
    }, 40_000);
  });

  describe('when member b sends a frame too large to read', () => {
    it('refuses it (kind rpc), hangs up, and hears b again once it reconnects', async () => {
      const h = clients[0] as HostileClient;
      const prev = await currentCharter(h, a.init.peerId);
      await h.publishRaw('proposal', new Uint8Array(5 << 20).fill(0x7b));
      await waitFor('a to refuse the unreadable frame', async () => {
        const m = await scrape(a);
        return counter(m, 'govfed_gossip_refused_total', { kind: 'rpc', reason: 'ERR_MESSAGE_TOO_LARGE' }) >= 1;
      });
      await waitFor('a to hang up on b', async () => !h.connected(a.init.peerId), 10_000);
      await h.dial((await fedStatus(a)).addresses[0] as string);
      await waitFor('a to subscribe again', async () => h.subscribers('proposal').includes(a.init.peerId));
      // b already has two changes pending for this version (the tests above), the most one signer may
      // have (node/federation/pending.ts): a third is refused with ERR_PROPOSAL_LIMIT — which shows that a
      // read and judged it as well as storing it would.
      const env = thresholdChange(prev, { policy: 1, admission: 1, charter: 2, witness: 1 }, h.seed);
      const limited = async () => (await rejected(a)).ERR_PROPOSAL_LIMIT ?? 0;
      const before = await limited();
      await h.gossip('proposal', envelopeBody(env), { charterVersion: prev.version });
      const id = charterDigest(charterOf(env));
      await waitFor(
        'b to be heard again',
        async () => (await proposalIds(a)).includes(id) || (await limited()) > before,
        10_000,
      );
      // (our gossipsub would offer the unreadable message again for a few heartbeats: start afresh)
      await h.stop();
      clients.shift();
    }, 40_000);
  });
});

describe('request/response protocols under abuse', () => {
  let h: HostileClient;
  beforeAll(async () => {
    h = await HostileClient.start({ federationId, peerKey: await peerKeyOfHome(b.home) });
    clients.push(h);
    await h.dial((await fedStatus(a)).addresses[0] as string);
  });
  const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  const dec = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;

  describe('when member b sends frames above the bound, or trickles one forever', () => {
    it('resets each stream (oversized at once, slow ones at the 10 s timeout) and says why', async () => {
      const before = await rejected(a);
      const [bigSync, bigLog, slowSync, slowLog] = await Promise.all([
        h.rawExchange(a.init.peerId, SYNC_PROTOCOL, [varint(64 << 20), new Uint8Array(1024)], { timeoutMs: 5000 }),
        h.rawExchange(a.init.peerId, LOG_PROTOCOL, [varint(1 << 20), new Uint8Array(1024)], { timeoutMs: 5000 }),
        h.rawExchange(a.init.peerId, SYNC_PROTOCOL, [varint(100), ...Array(40).fill(new Uint8Array([0x20]))], {
          delayMs: 500,
          timeoutMs: 15_000,
        }),
        h.rawExchange(a.init.peerId, LOG_PROTOCOL, [varint(100), ...Array(40).fill(new Uint8Array([0x20]))], {
          delayMs: 500,
          timeoutMs: 15_000,
        }),
      ]);
      for (const r of [bigSync, bigLog]) {
        expect(r.ended).not.toBe('timeout');
        expect(r.bytes).toBe(0);
        expect(r.ms).toBeLessThan(3000);
      }
      for (const r of [slowSync, slowLog]) {
        expect(r.ended).not.toBe('timeout');
        expect(r.bytes).toBe(0);
        expect(r.ms).toBeGreaterThanOrEqual(9000);
        expect(r.ms).toBeLessThan(13_000);
      }
      const after = await rejected(a);
      expect((after.ERR_MESSAGE_TOO_LARGE ?? 0) - (before.ERR_MESSAGE_TOO_LARGE ?? 0)).toBeGreaterThanOrEqual(2);
      expect((after.ERR_INVALID_INPUT ?? 0) - (before.ERR_INVALID_INPUT ?? 0)).toBeGreaterThanOrEqual(2);
    }, 30_000);
  });

  describe('when member b holds many streams open at once', () => {
    it('serves at most 8 exchanges of one peer at a time and refuses the rest with ERR_BACKPRESSURE', async () => {
      const before = await rejected(a);
      const silent = await Promise.all(Array.from({ length: 8 }, () => h.openStream(a.init.peerId, LOG_PROTOCOL)));
      await new Promise((r) => setTimeout(r, 300));
      const req = encodeSyncMessage({ type: 'get-charters', from: 1 });
      await expect(h.request(a.init.peerId, SYNC_PROTOCOL, req, { timeoutMs: 5000 })).rejects.toThrow();
      const after = await rejected(a);
      expect((after.ERR_BACKPRESSURE ?? 0) - (before.ERR_BACKPRESSURE ?? 0)).toBeGreaterThanOrEqual(1);
      for (const s of silent) s.abort(new Error('done'));
      await waitFor(
        'a to serve b again',
        async () => {
          try {
            return (await h.request(a.init.peerId, SYNC_PROTOCOL, req, { timeoutMs: 3000 })).length > 0;
          } catch {
            return false;
          }
        },
        15_000,
      );
    }, 30_000);
  });

  describe('when member b asks for huge ranges', () => {
    it('gets typed errors for impossible log ranges, and get-charters costs the chain (bounded by 4 MiB)', async () => {
      const huge = Number.MAX_SAFE_INTEGER;
      for (const q of [
        { type: 'get-consistency', from: 0, to: huge },
        { type: 'get-consistency', from: 1, to: huge },
        { type: 'get-inclusion', index: huge - 1, treeSize: huge },
        { type: 'get-entry', index: huge },
      ]) {
        const r = dec(await h.request(a.init.peerId, LOG_PROTOCOL, enc(q), { timeoutMs: 5000 }));
        expect(r.type, JSON.stringify(q)).toBe('error');
        expect(r.code).toMatch(/^ERR_/);
      }
      const req = encodeSyncMessage({ type: 'get-charters', from: 1 });
      const reply = await h.request(a.init.peerId, SYNC_PROTOCOL, req);
      const chain = await chartersOf(h, a.init.peerId);
      // one ~30-byte request answers the whole chain: here a few KiB; never more than MAX_SYNC_MESSAGE_BYTES,
      // and at most 16 MiB per peer per 10 s (node/p2p/serve-limits.ts)
      expect(req.length).toBeLessThan(40);
      expect(reply.length).toBeGreaterThan(JSON.stringify(chain).length - 100);
      expect(reply.length).toBeLessThanOrEqual(MAX_SYNC_MESSAGE_BYTES);
      const far = decodeSyncMessage(
        await h.request(a.init.peerId, SYNC_PROTOCOL, encodeSyncMessage({ type: 'get-charters', from: huge })),
      );
      expect(far).toEqual({ type: 'charters', envelopes: [] });
    }, 30_000);
  });
});
