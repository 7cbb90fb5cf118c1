/**
 * What the policy integration suite asks of its daemons over HTTP and the CLI: decisions, the policy
 * views, proposing and signing bundles, waiting for a version everywhere, a member's peer-key seed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import { expect } from 'vitest';
import { decodeLeaf } from '../../protocol/audit/leaf.ts';
import type { Envelope } from '../../protocol/federation/index.ts';
import { runCliJson } from '../helpers/cli.ts';
import { type FedNode, waitFor } from '../helpers/federation.ts';

export const EU_BIOMETRIC = {
  id: 'no-biometric-in-eu',
  hook: 'decision',
  effect: 'deny',
  expression: "'biometric' in decision.dataClasses && decision.jurisdiction == 'EU'",
  message: 'biometric data may not be processed in the EU',
};
export const WARN_NO_DIGEST = {
  id: 'warn-missing-input-digest',
  hook: 'decision',
  effect: 'warn',
  expression: "decision.inputDigest == ''",
  message: 'decisions should carry the digest of their input',
};

export interface Finding {
  rule: string;
  message: string;
  scope: 'global' | 'local';
}
export interface DecisionEntry {
  index: number;
  leafHash: string;
  allowed: boolean;
  deny: Finding[];
  warn: Finding[];
  policyVersion: number | null;
}
export interface PolicyShow {
  version: number;
  digest: string | null;
  envelope: Envelope | null;
}
export interface PolicyStatusBody {
  self: { version: number; digest: string | null; logIndex: number | null };
  members: { org: string; version: number | null; bundleHash: string | null; receipt: Envelope | null }[];
  pending: { id: string; version: number; signedBy: string[] }[];
  forks: { version: number; digest: string }[];
  rejected: Record<string, number>;
}

export async function api<T>(
  n: FedNode,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await n.daemon.fetch(url, {
    method,
    token: n.adminToken,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export const show = async (n: FedNode) => (await api<PolicyShow>(n, 'GET', '/v1/policy')).body;
export const pstatus = async (n: FedNode) => (await api<PolicyStatusBody>(n, 'GET', '/v1/policy/status')).body;

export async function decide(n: FedNode, record: Record<string, unknown>): Promise<DecisionEntry> {
  const r = await api<{ entries: DecisionEntry[] }>(n, 'POST', '/v1/decisions', record);
  expect(r.status).toBe(200);
  return r.body.entries[0] as DecisionEntry;
}

export async function leafAt(n: FedNode, index: number) {
  const res = await n.daemon.fetch(`/v1/log/entries/${index}`, { token: n.adminToken });
  return decodeLeaf(new Uint8Array(await res.arrayBuffer()));
}

export async function writeJson(n: FedNode, name: string, value: unknown): Promise<string> {
  const file = path.join(n.tmp, name);
  await writeFile(file, JSON.stringify(value));
  return file;
}

/** `govfed policy propose --file` on `n`; returns the proposal id. */
export async function propose(n: FedNode, rules: unknown[], extra: Record<string, unknown> = {}): Promise<string> {
  const file = await writeJson(n, `bundle-${Date.now()}.json`, { rules, ...extra });
  const r = await runCliJson<{ id: string }>(['policy', 'propose', '--file', file, '--home', n.home]);
  return r.id;
}

export async function sign(n: FedNode, id: string): Promise<void> {
  await waitFor(`${n.org} to hold proposal ${id}`, async () => (await pstatus(n)).pending.some((p) => p.id === id));
  await runCliJson(['policy', 'sign', id, '--home', n.home]);
}

/** Waits until every node in `ns` runs baseline `version` and returns the digests. */
export async function waitForPolicy(ns: readonly FedNode[], version: number, timeoutMs = 20_000): Promise<string> {
  const shown = await waitFor(
    `policy version ${version} on ${ns.map((n) => n.org).join(', ')}`,
    async () => {
      const s = await Promise.all(ns.map(show));
      return s.every((x) => x.version === version) ? s : undefined;
    },
    timeoutMs,
  );
  const digests = new Set(shown.map((s) => s.digest));
  expect(digests.size).toBe(1);
  return shown[0]?.digest as string;
}

export async function seedOf(n: FedNode): Promise<Uint8Array> {
  return privateKeyFromProtobuf(await readFile(path.join(n.home, 'keys', 'peer.key'))).raw.slice(0, 32);
}
