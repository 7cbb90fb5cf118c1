/**
 * What the replayed-objects suite reads of a node (what it stored, what it refused, its checkpoint) and
 * how it takes a signed note apart and spoils a signature line.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fromBase64, toBase64 } from '../../../protocol/encoding/bytes.ts';
import type { FedNode } from '../../helpers/federation.ts';
import { rejected } from './setup.ts';

export interface Snapshot {
  charters: unknown;
  proposals: unknown;
  policyVersion: number;
  logSize: number;
}

export async function api<T>(n: FedNode, p: string): Promise<T> {
  const res = await n.daemon.fetch(p, { token: n.adminToken });
  if (res.status !== 200) throw new Error(`GET ${p}: ${res.status}`);
  return (await res.json()) as T;
}

export async function snapshot(n: FedNode): Promise<Snapshot> {
  const state = JSON.parse(await readFile(path.join(n.home, 'federation', 'state.json'), 'utf8')) as {
    charters: unknown;
    proposals: unknown;
  };
  const policy = await api<{ version: number }>(n, '/v1/policy');
  const info = await api<{ log: { size: number } }>(n, '/v1/node');
  return {
    charters: state.charters,
    proposals: state.proposals,
    policyVersion: policy.version,
    logSize: info.log.size,
  };
}

/** Rejections by code on `n`: the federation's (gossip, sync) plus the policy service's (its protocol). */
export async function refusals(n: FedNode): Promise<Record<string, number>> {
  const fed = await rejected(n);
  const pol = (await api<{ rejected: Record<string, number> }>(n, '/v1/policy/status')).rejected;
  const out = { ...fed };
  for (const [k, v] of Object.entries(pol)) out[`policy:${k}`] = v;
  return out;
}

export async function checkpointOf(n: FedNode): Promise<string> {
  return await (await n.daemon.fetch('/v1/log/checkpoint', { token: n.adminToken })).text();
}

/** The note's text (header lines) and its signature lines. */
export function splitNote(note: string): { text: string; sigs: string[] } {
  const at = note.indexOf('\n\n');
  return {
    text: note.slice(0, at + 1),
    sigs: note
      .slice(at + 2)
      .split('\n')
      .filter((l) => l !== ''),
  };
}

export function flipSig(line: string): string {
  const at = line.lastIndexOf(' ');
  const raw = fromBase64(line.slice(at + 1));
  raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 0x55;
  return `${line.slice(0, at + 1)}${toBase64(raw)}`;
}
