/**
 * The in-process policy federation of the PolicyService tests: three members, the real service, the
 * real protocol/policy and protocol/federation, and an in-memory "network" in place of libp2p (gossip
 * is delivered to every online member, sync requests go straight to the peer's protocol handler).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { Registry } from 'prom-client';
import type { EventRecord } from '../../../node/events.ts';
import type { FederationContext } from '../../../node/federation/module.ts';
import type { LoadedHome } from '../../../node/home/load.ts';
import type { AppendItem } from '../../../node/log/index.ts';
import { PolicyService } from '../../../node/policy/service.ts';
import { decodeLeaf, type GovernanceLeaf } from '../../../protocol/audit/leaf.ts';
import type { Ed25519Verify } from '../../../protocol/crypto/ed25519.ts';
import {
  addSignature,
  CharterChain,
  type GossipMessage,
  genesisCharter,
  peerIdFromSeed,
  signAsPeer,
  signCharter,
} from '../../../protocol/federation/index.ts';

export const RULE = {
  id: 'no-biometric-in-eu',
  hook: 'decision',
  effect: 'deny',
  expression: "'biometric' in decision.dataClasses && decision.jurisdiction == 'EU'",
  message: 'biometric data may not be processed in the EU',
};
export const BIO = { model: 'face-id@1', output: 'match', dataClasses: ['biometric'], jurisdiction: 'EU' };

export interface Member {
  org: string;
  seed: Uint8Array;
  peerId: string;
  peerKey: Uint8Array;
  dir: string;
  leaves: GovernanceLeaf[];
  events: EventRecord[];
  service: PolicyService;
}

export class Net {
  readonly members = new Map<string, Member>();
  readonly online = new Set<string>();
  readonly services: PolicyService[] = [];
  chain!: CharterChain;
  seq = 0;
  clock = Date.now();
  /** The Ed25519 verifier injected into each org's service (default: the service's own, opensslVerify). */
  verifiers = new Map<string, Ed25519Verify>();
  /** When true, each member learns the others' sync heads as from a fresh hello (node/federation/heads.ts). */
  heads = false;
  /** The protocol of every request made, in order. */
  readonly requests: string[] = [];

  context(m: Member): FederationContext {
    return {
      peerId: m.peerId,
      events: (event, fields) => m.events.push({ event, fields } as EventRecord),
      chain: () => this.chain,
      publish: async (kind, body) => {
        if (!this.online.has(m.peerId)) return;
        const msg: GossipMessage = {
          type: kind,
          federationId: this.chain.federationId,
          charterVersion: this.chain.version,
          sender: m.peerId,
          seq: this.seq++,
          sentAt: new Date(this.clock).toISOString(),
          body,
        } as GossipMessage;
        for (const other of this.members.values()) {
          if (other === m || !this.online.has(other.peerId)) continue;
          other.service.gossip[kind]?.(msg, m.peerId);
        }
      },
      request: async (peer, protocol, bytes) => {
        const target = this.members.get(peer);
        if (target === undefined || !this.online.has(peer)) throw new Error(`${peer} is offline`);
        this.requests.push(protocol);
        const p = target.service.protocols?.[protocol];
        if (p === undefined) throw new Error(`no protocol ${protocol}`);
        return await p.handle(bytes, m.peerId);
      },
      connectedMembers: () => [...this.online].filter((p) => p !== m.peerId),
      peerHead: (peer, kind) =>
        this.heads && this.online.has(peer) ? this.members.get(peer)?.service.syncHeads()[kind] : undefined,
      signAsPeer: (payloadType, payload) => signAsPeer(payloadType, payload, m.seed),
      reject: () => {},
    };
  }

  async add(org: string): Promise<Member> {
    const key = await generateKeyPair('Ed25519');
    const seed = key.raw.slice(0, 32);
    const m = {
      org,
      seed,
      peerId: peerIdFromSeed(seed),
      peerKey: privateKeyToProtobuf(key),
      dir: await mkdtemp(join(tmpdir(), `govfed-policy-${org}-`)),
      leaves: [],
      events: [],
    } as unknown as Member;
    this.members.set(m.peerId, m);
    return m;
  }

  /** A PolicyService for `m` over its home dir (again after a "restart"). */
  service(m: Member, registry?: Registry): PolicyService {
    const home = {
      dir: m.dir,
      peerKey: m.peerKey,
      config: { org: m.org, jurisdiction: 'EU', peerId: m.peerId },
    } as unknown as Pick<LoadedHome, 'dir' | 'config' | 'peerKey'>;
    let index = 0;
    const s = new PolicyService({
      home,
      log: {
        append: async (items: readonly AppendItem[]) =>
          items.map((it) => {
            m.leaves.push(decodeLeaf(it.leaf) as GovernanceLeaf);
            return { index: index++, leafHash: new Uint8Array(32) } as never;
          }),
      },
      events: (event, fields) => m.events.push({ event, fields } as EventRecord),
      now: () => new Date(this.clock),
      ...(registry === undefined ? {} : { registry }),
      ...(this.verifiers.has(m.org) ? { verify: this.verifiers.get(m.org) } : {}),
    });
    s.attach(this.context(m));
    m.service = s;
    this.services.push(s);
    return s;
  }
}

export let net: Net;

/** A new, empty network (for a node in no federation). */
export function freshNet(): Net {
  net = new Net();
  return net;
}

/** Three members, charter with policy threshold 2, every service started and online. */
export async function federation(policy = 2, verifiers: Record<string, Ed25519Verify> = {}): Promise<Member[]> {
  net = new Net();
  for (const [org, v] of Object.entries(verifiers)) net.verifiers.set(org, v);
  const ms = [await net.add('eu'), await net.add('us'), await net.add('apac')];
  const g = genesisCharter({
    name: 'test',
    createdAt: new Date(net.clock).toISOString(),
    members: ms.map((m) => ({ org: m.org, peerId: m.peerId, jurisdiction: 'EU' })),
    thresholds: { admission: 1, policy, charter: 1 },
  });
  let env = signCharter(g, (ms[0] as Member).seed);
  for (const m of ms.slice(1)) env = addSignature(env, m.seed);
  net.chain = new CharterChain(env);
  for (const m of ms) {
    const s = net.service(m);
    await s.start();
    s.onCharter(net.chain);
    net.online.add(m.peerId);
  }
  return ms;
}

/** Lets queued applies (persist, audit, receipt) finish. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
}

/** Stops every service made for a member (a "restart" makes a second one on the same directory), removes the homes. */
export async function tearDown(): Promise<void> {
  for (const svc of net?.services ?? []) await svc.stop();
  for (const m of net?.members.values() ?? []) await rm(m.dir, { recursive: true, force: true });
}
