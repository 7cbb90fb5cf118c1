/**
 * Several FreshnessModules in one process, without a network: each has its own charter chain (same
 * genesis), a shared injected clock, and a context whose gossip reaches the other nodes' validators and
 * whose requests reach their `/govfed/freshness/1.0.0` handler — unless a node is cut off. For unit tests
 * of the module's logic; the real network is test/integration/federation-freshness.test.ts.
 */
import { Registry } from 'prom-client';
import type { EventRecord } from '../../../node/events.ts';
import { FreshnessModule } from '../../../node/federation/freshness.ts';
import type { FederationContext } from '../../../node/federation/module.ts';
import type { GossipVerdict } from '../../../node/p2p/pubsub.ts';
import { CharterChain } from '../../../protocol/federation/chain.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import type { GossipMessage } from '../../../protocol/federation/gossip.ts';
import type { Envelope } from '../../../protocol/federation/index.ts';
import { makeGenesis, peer, seed, signedBy } from '../../protocol/federation/fixtures.ts';

export const START = Date.parse('2025-01-02T00:00:00Z');
export const CONFIG = { intervalMs: 1000, lifetimeMs: 3000, staleAfterMs: 2000 };

export interface RigNode {
  i: number;
  peerId: string;
  chain: CharterChain;
  module: FreshnessModule;
  events: EventRecord[];
  pulls: string[];
  /** Verdicts this node's validator gave, in order. */
  verdicts: { from: string; verdict: GossipVerdict }[];
  /** What it counted as rejected (ctx.reject): via, kind, code, action. */
  rejects: { via: string; code: string; action: string }[];
  registry: Registry;
}

export class FreshnessRig {
  readonly nodes: RigNode[] = [];
  /** Nodes that neither send nor receive. */
  readonly cut = new Set<number>();
  /** Answers a node gives to freshness requests instead of its module's (a hostile member). */
  readonly answers = new Map<number, () => Uint8Array>();
  now = START;
  #seq = 0;

  /** `count` founders (indexes 0..count-1 of the fixtures), each with a FreshnessModule. */
  constructor(count: number, config = CONFIG) {
    const founders = Array.from({ length: count }, (_, i) => i);
    const genesis = signedBy(makeGenesis(founders), founders);
    for (const i of founders) this.add(i, new CharterChain(genesis), config);
  }

  add(i: number, chain: CharterChain, config = CONFIG): RigNode {
    const registry = new Registry();
    const module = new FreshnessModule({ config, now: () => new Date(this.now), registry });
    const node: RigNode = {
      i,
      peerId: peer(i),
      chain,
      module,
      events: [],
      pulls: [],
      verdicts: [],
      rejects: [],
      registry,
    };
    const ctx: FederationContext = {
      peerId: node.peerId,
      events: (event, fields) => void node.events.push({ event, fields } as EventRecord),
      chain: () => node.chain,
      publish: async (kind, body) => this.deliver(node, kind, body),
      pullSoon: (p) => void node.pulls.push(p),
      request: async (to, protocol, bytes) => {
        const target = this.nodes.find((n) => n.peerId === to);
        if (target === undefined || this.cut.has(node.i) || this.cut.has(target.i)) throw new Error('unreachable');
        const answer = this.answers.get(target.i);
        if (answer !== undefined) return answer();
        const p = target.module.protocols[protocol];
        if (p === undefined) throw new Error(`no protocol ${protocol}`);
        return await p.handle(bytes, node.peerId);
      },
      connectedMembers: () => this.nodes.filter((n) => n !== node && !this.cut.has(n.i)).map((n) => n.peerId),
      signAsPeer: (payloadType, payload) => signAsPeer(payloadType, payload, seed(i)),
      reject: (via, _kind, _peer, err, action) =>
        void node.rejects.push({ via, code: (err as { code?: string }).code ?? '', action }),
    };
    module.attach(ctx);
    module.onCharter(chain);
    this.nodes[i] = node;
    return node;
  }

  node(i: number): RigNode {
    const n = this.nodes[i];
    if (n === undefined) throw new Error(`no node ${i}`);
    return n;
  }

  /** A gossip message from `sender` on kind `freshness`, as the service hands it to validators. */
  message(sender: RigNode, body: Record<string, unknown>, signer = sender.peerId): GossipMessage {
    return {
      type: 'freshness',
      federationId: sender.chain.federationId,
      charterVersion: sender.chain.version,
      sender: signer,
      seq: this.#seq++,
      sentAt: new Date(this.now).toISOString(),
      body,
    };
  }

  /** What `from` gossips reaches every other node not cut off (and nothing when `from` is cut off). */
  deliver(from: RigNode, kind: string, body: Record<string, unknown>): void {
    if (this.cut.has(from.i)) return;
    for (const n of this.nodes) {
      if (n === undefined || n === from || this.cut.has(n.i)) continue;
      const handler = n.module.gossip[kind];
      if (handler === undefined) continue;
      n.verdicts.push({ from: from.peerId, verdict: handler(this.message(from, body), from.peerId) });
    }
  }

  /** Every node's own statement goes out again (as its interval timer would do). */
  publishAll(): void {
    for (const n of this.nodes) if (n !== undefined) n.module.onPeerConnected();
  }

  /** Moves the clock. */
  advance(ms: number): void {
    this.now += ms;
  }

  /** Hands `to` a gossip body (attacker-controlled) from `from`, returns the verdict. */
  gossipTo(to: RigNode, from: RigNode, body: Record<string, unknown>, signer?: string): GossipVerdict {
    const handler = to.module.gossip.freshness;
    if (handler === undefined) throw new Error('no freshness handler');
    return handler(this.message(from, body, signer), from.peerId);
  }
}

export function body(env: Envelope): Record<string, unknown> {
  return { envelope: env };
}
