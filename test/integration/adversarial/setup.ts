/**
 * Shared pieces of the adversarial suite: the set-up every file repeats (a federation of real daemons
 * with raised thresholds, hostile clients connected and subscribed, the tear-down), what an honest node
 * shows of an attack (its refusal counts, Prometheus counters and the attacker's gossipsub score, its
 * stored state) and charter changes built the way a hostile member would build them.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { Envelope } from '../../../protocol/dsse/index.ts';
import { type Charter, nextCharter, type Thresholds } from '../../../protocol/federation/charter.ts';
import { charterOf, signCharter } from '../../../protocol/federation/proposal.ts';
import { decodeSyncMessage, encodeSyncMessage } from '../../../protocol/federation/sync.ts';
import { SYNC_PROTOCOL } from '../../../protocol/federation/topics.ts';
import { removeDir } from '../../helpers/cli.ts';
import { killAllDaemons } from '../../helpers/daemon.ts';
import {
  adminPost,
  type FedNode,
  fedStatus,
  formFederation,
  waitFor,
  waitForVersion,
} from '../../helpers/federation.ts';
import type { HostileClient } from '../../helpers/hostile.ts';

/**
 * Forms a federation of `nodes` (the first one founds it), raises `thresholds` by one charter change of
 * the founder and waits until every node holds it. Resolves with the federation id.
 */
export async function federateWith(nodes: readonly FedNode[], thresholds: Partial<Thresholds>): Promise<string> {
  const formed = await formFederation(nodes);
  await adminPost(nodes[0] as FedNode, '/v1/federation/thresholds', thresholds);
  await waitForVersion([...nodes], formed.version + 1);
  return formed.federationId;
}

/**
 * Connects hostile client `x` to every node in `nodes` over libp2p, subscribes it to `kinds`, and waits
 * until x sees every node subscribed to each of `watch` (default: all of `kinds`).
 */
export async function connectHostile(
  x: HostileClient,
  nodes: readonly FedNode[],
  kinds: readonly string[],
  watch: readonly string[] = kinds,
): Promise<void> {
  for (const n of nodes) await x.dial((await fedStatus(n)).addresses[0] as string);
  for (const k of kinds) x.subscribe(k);
  await waitFor('every honest node to be a subscriber as the attacker sees it', async () =>
    watch.every((k) => nodes.every((n) => x.subscribers(k).includes(n.init.peerId))),
  );
}

/** The afterAll of every suite: stops the hostile clients, kills the daemons, removes the nodes' homes. */
export async function tearDown(
  nodes: readonly (FedNode | undefined)[],
  clients: readonly (HostileClient | undefined)[],
): Promise<void> {
  await Promise.all(clients.map((x) => x?.stop().catch(() => {})));
  await killAllDaemons();
  await Promise.all(nodes.filter((n) => n !== undefined).map((n) => removeDir(n.tmp)));
}

/** The node's Prometheus exposition, parsed: `name{labels}` → value. */
export async function scrape(n: FedNode): Promise<Map<string, number>> {
  const res = await n.daemon.fetch('/metrics', { token: n.adminToken });
  if (res.status !== 200) throw new Error(`GET /metrics: ${res.status}`);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** Sum of a counter over the series whose labels include every `labels` pair. */
export function counter(m: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const [k, v] of m) {
    if (k !== name && !k.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([l, x]) => k.includes(`${l}="${x}"`))) sum += v;
  }
  return sum;
}

/** The honest node's gossipsub score of `peer` (GET /metrics govfed_gossip_peer_score). */
export async function scoreOn(n: FedNode, peer: string): Promise<number | undefined> {
  const m = await scrape(n);
  return m.get(`govfed_gossip_peer_score{peer="${peer}"}`);
}

/** What "nothing stored" compares: state.json bytes and the audit log's size. */
export interface Stored {
  state: string;
  logSize: number;
}

export async function stored(n: FedNode): Promise<Stored> {
  const state = await readFile(path.join(n.home, 'federation', 'state.json'), 'utf8').catch(() => '');
  const info = (await (await n.daemon.fetch('/v1/node', { token: n.adminToken })).json()) as {
    log: { size: number };
  };
  return { state, logSize: info.log.size };
}

/** state.json's size in bytes (0 when absent). */
export async function stateBytes(n: FedNode): Promise<number> {
  return (await stat(path.join(n.home, 'federation', 'state.json')).catch(() => ({ size: 0 }))).size;
}

/** `rejected` counts of GET /v1/federation. */
export async function rejected(n: FedNode): Promise<Record<string, number>> {
  return (await fedStatus(n)).rejected;
}

/** The peer's charter chain over sync (get-charters from 1). */
export async function chartersOf(h: HostileClient, peer: string): Promise<Envelope[]> {
  const reply = decodeSyncMessage(
    await h.request(peer, SYNC_PROTOCOL, encodeSyncMessage({ type: 'get-charters', from: 1 })),
  );
  if (reply.type !== 'charters') throw new Error(`expected charters, got ${reply.type}`);
  return reply.envelopes;
}

/** The newest charter a peer serves. */
export async function currentCharter(h: HostileClient, peer: string): Promise<Charter> {
  const envs = await chartersOf(h, peer);
  return charterOf(envs[envs.length - 1] as Envelope);
}

/** A threshold change of `prev`, signed by `seed` only. */
export function thresholdChange(prev: Charter, t: Partial<Thresholds>, seed: Uint8Array): Envelope {
  return signCharter(nextCharter(prev, { createdAt: new Date().toISOString(), thresholds: t }), seed);
}

/** Asserts that each honest node's `rejected` count of `code` grew since `before`. */
export async function expectRefused(
  nodes: readonly FedNode[],
  before: readonly Record<string, number>[],
  code: string,
): Promise<void> {
  for (const [i, n] of nodes.entries()) {
    const now = await rejected(n);
    expect(now[code] ?? 0, `${n.org} refuses with ${code}`).toBeGreaterThan(before[i]?.[code] ?? 0);
  }
}
