/**
 * Shared pieces of the adversarial suite: what an honest node shows of an attack (its refusal counts,
 * Prometheus counters and the attacker's gossipsub score, its stored state) and charter changes built
 * the way a hostile member would build them.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { Envelope } from '../../../protocol/dsse/index.ts';
import { type Charter, nextCharter, type Thresholds } from '../../../protocol/federation/charter.ts';
import { charterOf, signCharter } from '../../../protocol/federation/proposal.ts';
import { decodeSyncMessage, encodeSyncMessage } from '../../../protocol/federation/sync.ts';
import { SYNC_PROTOCOL } from '../../../protocol/federation/topics.ts';
import { type FedNode, fedStatus } from '../../helpers/federation.ts';
import type { HostileClient } from '../../helpers/hostile.ts';

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
