/**
 * An in-memory federation of real WitnessServices for unit tests of node/witness: each member has a
 * real AuditLog and a real witness store on disk (temp dirs); only the federation context is a double
 * — publish() hands a gossip message to the other members' validators (as gossipsub would after the
 * envelope checks) and request() calls the other member's /govfed/log/1.0.0 handler directly.
 */

import { Registry } from 'prom-client';
import type { FederationContext } from '../../../node/federation/module.ts';
import { AuditLog } from '../../../node/log/index.ts';
import { WitnessService, type WitnessServiceOptions } from '../../../node/witness/index.ts';
import type { Ed25519Verify } from '../../../protocol/crypto/ed25519.ts';
import { CharterChain } from '../../../protocol/federation/chain.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import type { GossipMessage } from '../../../protocol/federation/index.ts';
import { member } from '../../protocol/federation/fixtures.ts';
import {
  federation,
  logKey,
  logName,
  logSigner,
  ORGS,
  peerSeed,
  witness,
  witnessKey,
} from '../../protocol/witness/fixtures.ts';
import { items, tempDir } from '../log/helpers.ts';

export interface RigNode {
  i: number;
  org: string;
  origin: string;
  peerId: string;
  log: AuditLog;
  /** The home the witness was made with (a second WitnessService on it sees the same store). */
  home: WitnessServiceOptions['home'];
  witness: WitnessService;
  registry: Registry;
  events: { event: string; fields: Record<string, unknown> }[];
  /** Everything this node published, in order. */
  published: { kind: string; body: Record<string, unknown>; at: number }[];
  /** Validator errors this node's gossip caused at receivers. */
  refused: { to: string; kind: string; error: unknown }[];
  /** While true, requests to this node fail (it cannot be reached). */
  down: boolean;
  /** While set, a request to this node hangs this long and then fails (a dial that times out). */
  hangMs?: number;
  /** Orgs that cannot reach this node (others can). */
  unreachableFrom: Set<string>;
  /** Every request this node sent, in order: to whom (peer id), on which protocol. */
  sent: { to: string; protocol: string }[];
  /** Replaces this node's /govfed/log answers (a lying node). */
  answer?: (req: Uint8Array, honest: Uint8Array) => Uint8Array;
  ctx: FederationContext;
}

export interface Rig {
  nodes: RigNode[];
  chain: CharterChain;
  /** Delivers gossip to the other members (default true). */
  deliver: boolean;
  /** Appends `n` entries to node `i`'s log and signs a checkpoint (the publisher gossips it). */
  grow(i: number, n: number): Promise<number>;
  /** A gossip message from node `from`, as a receiver's validator sees it. */
  message(from: number, kind: string, body: Record<string, unknown>): GossipMessage;
  stop(): Promise<void>;
}

/** Members `founders` (indices into ORGS) with their logs and witnesses; k = `opts.witness`. */
export async function startRig(
  founders: readonly number[],
  opts: { witness?: number; start?: boolean; verify?: (org: string) => Ed25519Verify | undefined } = {},
): Promise<Rig> {
  const fed = federation(founders, opts.witness === undefined ? {} : { witness: opts.witness });
  const chain = CharterChain.fromEnvelopes(fed.id, fed.envelopes);
  let seq = 0;
  const nodes: RigNode[] = [];
  const rig: Rig = {
    nodes,
    chain,
    deliver: true,
    async grow(i, n) {
      const node = nodes.find((x) => x.i === i) as RigNode;
      await node.log.append(items(node.log.size, n));
      return (await node.log.checkpointNow()).size;
    },
    message(from, kind, body) {
      return {
        type: kind,
        federationId: fed.id,
        charterVersion: chain.current.version,
        sender: member(from).peerId,
        seq: ++seq,
        sentAt: new Date().toISOString(),
        body,
      };
    },
    async stop() {
      for (const n of nodes) await n.witness.stop();
      for (const n of nodes) await n.log.stop();
    },
  };
  for (const i of founders) {
    const org = ORGS[i] as string;
    const log = new AuditLog({
      dir: await tempDir(),
      signer: logSigner(i),
      origin: logName(i),
      checkpointIntervalMs: 3_600_000,
    });
    await log.start();
    const events: RigNode['events'] = [];
    const registry = new Registry();
    const home: WitnessServiceOptions['home'] = {
      config: { org, origin: logName(i), verifierKey: logKey(i), witnessKey: witnessKey(i) },
      paths: { witness: await tempDir() },
      witnessSigner: witness(i, Math.floor(Date.now() / 1000)),
    };
    const w = new WitnessService({
      home,
      log,
      events: (event, fields) => events.push({ event, fields: fields ?? {} }),
      registry,
      ...(opts.verify?.(org) === undefined ? {} : { verify: opts.verify(org) }),
    });
    const node: RigNode = {
      i,
      org,
      origin: logName(i),
      peerId: member(i).peerId,
      log,
      home,
      witness: w,
      registry,
      events,
      published: [],
      refused: [],
      down: false,
      unreachableFrom: new Set(),
      sent: [],
      ctx: undefined as unknown as FederationContext,
    };
    node.ctx = {
      peerId: node.peerId,
      chain: () => chain,
      async publish(kind, body) {
        node.published.push({ kind, body, at: Date.now() });
        if (!rig.deliver) return;
        const msg = rig.message(i, kind, body);
        for (const other of nodes) {
          if (other === node) continue;
          try {
            other.witness.gossip[kind]?.(msg, node.peerId);
          } catch (error) {
            node.refused.push({ to: other.org, kind, error });
          }
        }
      },
      async request(peer, protocol, bytes) {
        node.sent.push({ to: peer, protocol });
        const to = nodes.find((x) => x.peerId === peer);
        if (to === undefined || to.down || to.unreachableFrom.has(org)) throw new Error(`cannot dial ${peer}`);
        if (to.hangMs !== undefined) {
          await new Promise((r) => setTimeout(r, to.hangMs));
          throw new Error(`dial ${peer}: timed out`);
        }
        const handler = to.witness.protocols?.[protocol];
        if (handler === undefined) throw new Error(`no handler for ${protocol}`);
        const honest = await handler.handle(bytes, node.peerId);
        return to.answer === undefined ? honest : to.answer(bytes, honest);
      },
      connectedMembers: () => nodes.filter((x) => x !== node && !x.down).map((x) => x.peerId),
      signAsPeer: (payloadType, payload) => signAsPeer(payloadType, payload, peerSeed(i)),
      reject() {},
      events: (event, fields) => events.push({ event, fields: fields ?? {} }),
    };
    w.attach(node.ctx);
    nodes.push(node);
  }
  if (opts.start !== false) {
    for (const n of nodes) {
      await n.witness.start();
      n.witness.onCharter(chain);
    }
  }
  return rig;
}

/** Polls `check` until it returns true (10 ms steps, `ms` at most). */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * In a rig of three members with k = 2 (startRig([0, 1, 2], { witness: 2 })): grows a's log to `size`
 * and waits until b holds that checkpoint witnessed (and a too, with `own`).
 */
export async function growWitnessed(
  rig: Rig,
  opts: { own?: boolean } = {},
): Promise<{ a: RigNode; b: RigNode; c: RigNode; size: number }> {
  const [a, b, c] = rig.nodes as [RigNode, RigNode, RigNode];
  const size = await rig.grow(0, 6);
  const holds = (n: RigNode) => n.witness.origins().some((o) => o.origin === a.origin && o.witnessedSize === size);
  await until('b to hold a witnessed', () => holds(b));
  if (opts.own === true) await until('a to hold its own witnessed', () => holds(a));
  return { a, b, c, size };
}
