/**
 * Recording a decision on a test node over its API, and reading what the node said of it: the reply entry
 * (verdict, findings, flags) and the leaf it appended (test/integration: contracts, kill switch).
 */
import { expect } from 'vitest';
import type { FedNode } from './federation.ts';

export interface Entry {
  index: number;
  allowed?: boolean;
  deny?: { rule: string; scope: string; message: string }[];
  flags?: string[];
}

/** POST /v1/decisions with one record on n (expects 200); the reply's entry and the leaf. */
export async function postDecision(n: FedNode, record: Record<string, unknown>) {
  const res = await n.daemon.fetch('/v1/decisions', {
    method: 'POST',
    token: n.adminToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(record),
  });
  expect(res.status).toBe(200);
  const entry = ((await res.json()) as { entries: Entry[] }).entries[0] as Entry;
  const leafRes = await n.daemon.fetch(`/v1/log/entries/${entry.index}`, { token: n.adminToken });
  const leaf = JSON.parse(Buffer.from(await leafRes.arrayBuffer()).toString('utf8')) as Record<string, unknown>;
  return { entry, leaf };
}

/** The ids of an entry's deny findings of `scope` (contract, registry, global, local). */
export const denyRules = (e: Entry, scope: string) =>
  (e.deny ?? []).filter((f) => f.scope === scope).map((f) => f.rule);
