/**
 * FederationService in-process: two services on 127.0.0.1 with real libp2p, a recording audit log.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorStatus } from '../../../node/errors.ts';
import { type EventRecord, recordingSink } from '../../../node/events.ts';
import type { FederationContext, FederationModule } from '../../../node/federation/module.ts';
import { FederationService } from '../../../node/federation/service.ts';
import { FederationStore } from '../../../node/federation/store.ts';
import { initHome } from '../../../node/home/init.ts';
import { loadHome } from '../../../node/home/load.ts';
import type { AppendItem } from '../../../node/log/index.ts';
import type { GossipVerdict } from '../../../node/p2p/pubsub.ts';
import { decodeLeaf } from '../../../protocol/audit/index.ts';
import type { Ed25519Verify } from '../../../protocol/crypto/ed25519.ts';
import { toHex } from '../../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import {
  type Charter,
  type CharterChain,
  type GossipMessage,
  peerIdFromSeed,
  peerIdToPublicKey,
  signCharter,
} from '../../../protocol/federation/index.ts';
import { recordingVerifier, rejectAll } from '../../helpers/verify.ts';

interface Fixture {
  service: FederationService;
  leaves: AppendItem[];
  events: EventRecord[];
  dir: string;
}

let root: string;
const made: Fixture[] = [];

/** A federation module that records what the service hands it, and echoes a request protocol. */
class Recorder implements FederationModule {
  readonly name = 'recorder';
  ctx: FederationContext | undefined;
  charters: number[] = [];
  received: { sender: string; body: Record<string, unknown> }[] = [];
  readonly gossip = {
    policy: (msg: GossipMessage): GossipVerdict => {
      if (msg.body.bad === true) throw new GovfedError('ERR_INVALID_INPUT', 'a body the module rejects');
      this.received.push({ sender: msg.sender, body: msg.body });
      return { result: 'accept' };
    },
  };
  /** How long the echo takes to answer (a busy member). */
  slowMs = 0;
  readonly protocols = {
    '/govfed/test-echo/1.0.0': {
      maxBytes: 1024,
      handle: async (req: Uint8Array) => {
        if (this.slowMs > 0) await new Promise((r) => setTimeout(r, this.slowMs));
        return Uint8Array.from(req).reverse();
      },
    },
  };
  attach(ctx: FederationContext): void {
    this.ctx = ctx;
  }
  onCharter(chain: CharterChain): void {
    this.charters.push(chain.version);
  }
  memberStatus(): Record<string, unknown> {
    return { misbehaving: false };
  }
  status(): Record<string, unknown> {
    return { received: this.received.length };
  }
}

async function make(
  org: string,
  modules: FederationModule[] = [],
  verify?: Ed25519Verify,
  onAppend?: (items: readonly AppendItem[]) => void,
): Promise<Fixture> {
  const dir = join(root, org);
  await initHome({ dir, org, jurisdiction: 'EU', api: '127.0.0.1:0', listen: '/ip4/127.0.0.1/tcp/0' });
  const home = await loadHome(dir);
  const leaves: AppendItem[] = [];
  const { sink, events } = recordingSink();
  const service = new FederationService({
    home,
    log: {
      append: async (items) => {
        leaves.push(...items);
        onAppend?.(items);
        return items.map((_, i) => ({ index: i }) as never);
      },
    },
    events: sink,
    syncIntervalMs: 500,
    ...(verify === undefined ? {} : { verify }),
  });
  for (const m of modules) service.use(m);
  await service.start();
  const f = { service, leaves, events, dir };
  made.push(f);
  return f;
}

async function until(fn: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'govfed-fedsvc-'));
});

afterAll(async () => {
  await Promise.all(made.map((f) => f.service.stop()));
  await rm(root, { recursive: true, force: true });
});

describe('FederationService', () => {
  describe('when the node is in no federation', () => {
    it('reports federated: false and refuses operations that need one with ERR_NO_FEDERATION', async () => {
      const a = await make('lonely');
      expect(a.service.status()).toMatchObject({ federated: false, members: [], addresses: [] });
      await expect(a.service.setThreshold({ policy: 2 })).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_NO_FEDERATION' }),
      );
    });
  });

  describe('when one node creates and another joins with an invite', () => {
    it('both hold version 2, each charter is an audit leaf, and a second create is ERR_FEDERATION_EXISTS', async () => {
      const a = await make('alpha');
      const b = await make('beta');
      const created = await a.service.create({ name: 'F', thresholds: { policy: 3 } });
      expect(created).toMatchObject({
        federated: true,
        charterVersion: 1,
        thresholds: { admission: 1, policy: 3, charter: 1 },
      });
      const invite = await a.service.invite({ org: 'beta', peerId: b.service.peerId, jurisdiction: 'EU' });
      await b.service.join(invite);
      await until(() => a.service.chain?.version === 2 && b.service.chain?.version === 2);
      expect(a.service.chain?.head.digest).toBe(b.service.chain?.head.digest);
      const kinds = (f: Fixture) => f.leaves.map((l) => (decodeLeaf(l.leaf) as { kind: string }).kind);
      // the chain moves first; the audit leaf follows once state.json is written
      await until(() => kinds(a).filter((k) => k === 'federation.charter').length === 2);
      expect(kinds(a).filter((k) => k === 'federation.charter')).toHaveLength(2);
      expect(kinds(b).filter((k) => k === 'federation.charter')).toHaveLength(2);
      await expect(a.service.create({ name: 'again' })).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_FEDERATION_EXISTS' }),
      );
      await until(() => a.service.status().members.some((m) => m.org === 'beta' && m.connected));
    });
  });

  describe('when a peer completes a change while this node is still logging its own signature of it', () => {
    it('answers the federation status with the change applied, not ERR_CHARTER_STALE', async () => {
      let completeIt: (() => void) | undefined;
      const kind = (i: AppendItem) => (decodeLeaf(i.leaf) as { kind: string }).kind;
      const a = await make('omega', [], undefined, (items) => {
        if (items.some((i) => kind(i) === 'federation.proposal')) completeIt?.();
      });
      const b = await make('psi');
      await a.service.create({ name: 'R' });
      await b.service.join(await a.service.invite({ org: 'psi', peerId: b.service.peerId, jurisdiction: 'EU' }));
      await until(() => a.service.chain?.version === 2);
      await a.service.setThreshold({ charter: 2 }); // complete at once: v3 needs two signatures for changes
      const seedB = privateKeyFromProtobuf((await loadHome(b.dir)).peerKey).raw.slice(0, 32);
      // While a logs its own (first) signature of v4, b's signature arrives and completes it.
      completeIt = () => {
        completeIt = undefined;
        const charter = a.service.status().proposals[0]?.charter as Charter;
        void a.service.sign(signCharter(charter, seedB));
      };
      const answer = await a.service.setThreshold({ policy: 2 });
      expect(answer).toMatchObject({ federated: true, charterVersion: 4, thresholds: { policy: 2, charter: 2 } });
      expect(completeIt).toBeUndefined();
    });
  });

  describe('when the libp2p listen address is taken while creating or joining a federation', () => {
    it('refuses with ERR_INVALID_CONFIG (HTTP 409) naming --listen and leaves nothing made; it works once the port is free', async () => {
      const blocker = createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      const port = (blocker.address() as AddressInfo).port;
      const dir = join(root, 'taken');
      await initHome({
        dir,
        org: 'taken',
        jurisdiction: 'EU',
        api: '127.0.0.1:0',
        listen: `/ip4/127.0.0.1/tcp/${port}`,
      });
      const service = (h: Awaited<ReturnType<typeof loadHome>>, leaves: AppendItem[]) =>
        new FederationService({
          home: h,
          log: {
            append: async (items) => {
              leaves.push(...items);
              return items.map((_, i) => ({ index: i }) as never);
            },
          },
          events: () => {},
        });
      const leaves: AppendItem[] = [];
      const a = service(await loadHome(dir), leaves);
      await a.start();
      const err = await a.create({ name: 'T' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_INVALID_CONFIG' });
      expect(String((err as Error).message)).toContain('--listen');
      expect(errorStatus('ERR_INVALID_CONFIG')?.http).toBe(409);
      expect(a.status().federated).toBe(false);
      expect(leaves).toHaveLength(0);
      expect(await new FederationStore(dir).load()).toBeUndefined();
      // A restart is not blocked by a half-made federation, and once the port is free create works.
      await new Promise<void>((r) => blocker.close(() => r()));
      const again = service(await loadHome(dir), leaves);
      made.push({ service: again, leaves, events: [], dir });
      await again.start();
      expect(again.status().federated).toBe(false);
      await expect(again.create({ name: 'T' })).resolves.toMatchObject({ federated: true, charterVersion: 1 });
      expect(leaves).toHaveLength(1);
    });
  });

  describe('when a change for the next version is already signed and pending', () => {
    it('refuses to sign a second, different one with ERR_PROPOSAL_PENDING (no forks by this node)', async () => {
      const a = await make('delta');
      await a.service.create({ name: 'D' });
      const peer = (i: number) => peerIdFromSeed(new Uint8Array(32).fill(i));
      await a.service.invite({ org: 'x', peerId: peer(1), jurisdiction: 'US' });
      await expect(a.service.invite({ org: 'y', peerId: peer(2), jurisdiction: 'US' })).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_PROPOSAL_PENDING' }),
      );
      await expect(a.service.setThreshold({ policy: 2 })).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_PROPOSAL_PENDING' }),
      );
      expect(a.service.status().proposals).toHaveLength(1);
      await expect(a.service.sign('sha256:00000000')).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_NOT_FOUND' }),
      );
      const id = a.service.status().proposals[0]?.id as string;
      await expect(a.service.sign(id.slice(7, 17))).resolves.toMatchObject({ id, memberSignatures: 1 });
    });
  });

  describe('when the change to sign was already applied (a charter threshold of 1)', () => {
    it('refuses with ERR_NOT_FOUND and says it was applied, as which version', async () => {
      const a = await make('sigma');
      await a.service.create({ name: 'O' });
      await a.service.setThreshold({ policy: 2 }); // one member, charter threshold 1: applied at once
      expect(a.service.chain?.version).toBe(2);
      const digest = a.service.chain?.head.digest as string;
      await expect(a.service.sign(digest)).rejects.toThrow(
        expect.objectContaining({
          code: 'ERR_NOT_FOUND',
          message: `no pending proposal ${digest}: it was applied as version 2 (it had every signature it needed)`,
        }),
      );
      await expect(a.service.sign(digest.slice(7, 17))).rejects.toThrow(/it was applied as version 2/);
    });
  });

  describe('when a verifier is injected (node/crypto opensslVerify in the daemon)', () => {
    it('checks the invite, the charters and the gossip of the other member with it', async () => {
      const va = recordingVerifier();
      const vb = recordingVerifier();
      const a = await make('kappa', [], va.verify);
      const b = await make('lambda', [], vb.verify);
      await a.service.create({ name: 'K' });
      const invite = await a.service.invite({ org: 'lambda', peerId: b.service.peerId, jurisdiction: 'EU' });
      await b.service.join(invite);
      await until(() => a.service.chain?.version === 2 && b.service.chain?.version === 2);
      // b verified a's signatures (invite: genesis and proposal) and a verified b's (the completed charter)
      await until(() => va.keys.has(toHex(peerIdToPublicKey(b.service.peerId))));
      expect(vb.keys.has(toHex(peerIdToPublicKey(a.service.peerId)))).toBe(true);
    });

    it('re-verifies the stored chain at restart with it: a verifier that rejects everything refuses to start', async () => {
      const a = await make('mu');
      await a.service.create({ name: 'M' });
      await a.service.stop();
      const again = new FederationService({
        home: await loadHome(a.dir),
        log: { append: async () => [] },
        events: () => {},
        verify: rejectAll,
      });
      await expect(again.start()).rejects.toThrow(expect.objectContaining({ code: 'ERR_BAD_SIGNATURE' }));
      await again.stop();
    });
  });

  describe('when a service restarts', () => {
    it('reloads and re-verifies its chain from DIR/federation/state.json', async () => {
      const a = await make('gamma');
      await a.service.create({ name: 'G' });
      await a.service.setThreshold({ policy: 4 });
      const digest = a.service.chain?.head.digest;
      await a.service.stop();
      const again = new FederationService({
        home: await loadHome(a.dir),
        log: { append: async () => [] },
        events: () => {},
      });
      await again.start();
      made.push({ ...a, service: again });
      expect(again.chain?.version).toBe(2);
      expect(again.chain?.head.digest).toBe(digest);
    });
  });

  describe('when modules are registered (node/federation/module.ts)', () => {
    it('tells them every charter, carries their gossip and request protocols, and adds their status', async () => {
      const ra = new Recorder();
      const rb = new Recorder();
      const a = await make('epsilon', [ra]);
      const b = await make('zeta', [rb]);
      await a.service.create({ name: 'M' });
      expect(ra.charters).toEqual([1]);
      const invite = await a.service.invite({ org: 'zeta', peerId: b.service.peerId, jurisdiction: 'EU' });
      await b.service.join(invite);
      await until(() => ra.charters.includes(2) && rb.charters.includes(2));
      await until(() => a.service.status().members.some((m) => m.org === 'zeta' && m.connected));
      // gossip: the service verifies the envelope, the module judges the body
      await until(() => {
        void ra.ctx?.publish('policy', { n: 1 });
        return rb.received.some((r) => r.body.n === 1 && r.sender === a.service.peerId);
      });
      await ra.ctx?.publish('policy', { bad: true });
      await until(() =>
        b.events.some((e) => e.event === 'federation:rejected' && e.fields.code === 'ERR_INVALID_INPUT'),
      );
      // request protocol: members only, one frame each way
      const reply = await rb.ctx?.request(a.service.peerId, '/govfed/test-echo/1.0.0', Uint8Array.of(1, 2, 3), 1024);
      expect([...(reply ?? [])]).toEqual([3, 2, 1]);
      // status
      const st = b.service.status();
      expect(st.modules.recorder).toEqual({ received: rb.received.length });
      expect(st.members.every((m) => (m as unknown as { misbehaving?: boolean }).misbehaving === false)).toBe(true);
      expect(() => b.service.use(new Recorder())).toThrow();
    });

    it("keeps a busy member's live connection when a request to it times out: probed, not closed and redialled", async () => {
      const ra = new Recorder();
      const rb = new Recorder();
      const a = await make('eta', [ra]);
      const b = await make('theta', [rb]);
      await a.service.create({ name: 'S' });
      const invite = await a.service.invite({ org: 'theta', peerId: b.service.peerId, jurisdiction: 'EU' });
      await b.service.join(invite);
      await until(
        () => rb.charters.includes(2) && b.service.status().members.some((m) => m.org === 'eta' && m.connected),
      );
      ra.slowMs = 1500;
      const echo = '/govfed/test-echo/1.0.0';
      await expect(rb.ctx?.request(a.service.peerId, echo, Uint8Array.of(1, 2), 1024, 500)).rejects.toThrow(/time/i);
      // the connection answered the probe: kept, no redial, no second try (ef906d3's path is for dead ones)
      expect(b.events.some((e) => e.event === 'federation:request-retried')).toBe(false);
      expect(b.service.status().members.find((m) => m.org === 'eta')?.connected).toBe(true);
      ra.slowMs = 0;
      expect([...((await rb.ctx?.request(a.service.peerId, echo, Uint8Array.of(1, 2), 1024)) ?? [])]).toEqual([2, 1]);
      expect(b.events.some((e) => e.event === 'federation:request-retried')).toBe(false);
    });
  });
});
