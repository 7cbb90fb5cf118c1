import { expect } from 'vitest';
import type { Envelope } from '../../protocol/federation/index.ts';
import { type FedNode, type FedStatus, fedStatus, startFedNode, waitFor } from './federation.ts';
import type { Fabric, NetHost } from './netns.ts';

/** One daemon per host of `fabric`, orgs in order: `orgs[i]` runs on host i. */
export async function startOnFabric(
  fabric: Fabric,
  orgs: readonly (readonly [string, string])[],
): Promise<Record<string, FedNode & { host: NetHost }>> {
  const out: Record<string, FedNode & { host: NetHost }> = {};
  // One at a time: seven Node.js processes starting at once on two busy cores can take over a minute.
  for (const [i, [org, jurisdiction]] of orgs.entries()) {
    const host = fabric.hosts[i] as NetHost;
    const n = await startFedNode(org, jurisdiction, { addr: host.addr, netns: host.netns });
    out[org] = { ...n, host };
  }
  return out;
}

/** An admin request; returns status and parsed JSON body. */
export async function call<T>(
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

async function ok<T>(n: FedNode, method: string, url: string, body?: unknown): Promise<T> {
  const r = await call<T>(n, method, url, body);
  if (r.status !== 200) throw new Error(`${n.org}: ${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

// ---- policy ----

export interface PolicyShow {
  version: number;
  digest: string | null;
  envelope: Envelope | null;
}

export interface PolicyStatus {
  self: { version: number; digest: string | null };
  members: { org: string; version: number | null }[];
  pending: { id: string; version: number; signedBy: string[] }[];
}

export const policyOf = (n: FedNode) => ok<PolicyShow>(n, 'GET', '/v1/policy');
export const policyStatus = (n: FedNode) => ok<PolicyStatus>(n, 'GET', '/v1/policy/status');

/** A one-rule baseline whose rule names `tag` (so every version differs). */
export function baseline(tag: string): unknown[] {
  return [
    {
      id: `deny-${tag}`,
      hook: 'decision',
      effect: 'deny',
      expression: `decision.model == '${tag}'`,
      message: `model ${tag} is not allowed`,
    },
  ];
}

/** Proposes `rules` at `by[0]` and has each of `by[1..]` sign it once it holds it; returns the id. */
export async function publishPolicy(by: readonly FedNode[], rules: unknown[], timeoutMs = 30_000): Promise<string> {
  const [first, ...signers] = by;
  if (first === undefined) throw new Error('publishPolicy: nobody to propose');
  const { id } = await ok<{ id: string }>(first, 'POST', '/v1/policy/proposals', { rules });
  for (const s of signers) {
    await waitFor(
      `${s.org} to hold policy proposal ${id}`,
      async () => (await policyStatus(s)).pending.some((p) => p.id === id),
      timeoutMs,
    );
    await ok(s, 'POST', `/v1/policy/proposals/${encodeURIComponent(id)}/signatures`, {});
  }
  return id;
}

/** Waits until every node runs baseline `version` with one digest; returns the digest. */
export async function waitForPolicy(nodes: readonly FedNode[], version: number, timeoutMs = 30_000): Promise<string> {
  const shown = await waitFor(
    `policy version ${version} on ${nodes.map((n) => n.org).join(', ')}`,
    async () => {
      const s = await Promise.all(nodes.map(policyOf));
      return s.every((x) => x.version === version) ? s : undefined;
    },
    timeoutMs,
  );
  expect(new Set(shown.map((s) => s.digest)).size).toBe(1);
  return shown[0]?.digest as string;
}

// ---- decisions and the log ----

/** POSTs `count` decisions to `n` (one request); returns their log indexes. */
export async function ingest(n: FedNode, count: number, tag: string): Promise<number[]> {
  const records = Array.from({ length: count }, (_, i) => ({
    model: 'scorer-1',
    decisionId: `${tag}-${i}`,
    output: { approve: i % 2 === 0 },
  }));
  const r = await ok<{ entries: { index: number }[] }>(n, 'POST', '/v1/decisions', records);
  return r.entries.map((e) => e.index);
}

/** The size of `n`'s newest signed checkpoint. */
export async function checkpointSize(n: FedNode): Promise<number> {
  const res = await n.daemon.fetch('/v1/log/checkpoint', { token: n.adminToken });
  if (res.status !== 200) throw new Error(`${n.org}: GET /v1/log/checkpoint: ${res.status}`);
  return Number((await res.text()).split('\n')[1]); // C2SP checkpoint: origin, size, root hash
}

// ---- witnessing ----

export interface WitnessOrigin {
  origin: string;
  org: string;
  witnessedSize: number | null;
  cosignatures: number;
  k: number;
  misbehaving: boolean;
}

export async function witnessView(n: FedNode): Promise<WitnessOrigin[]> {
  return ((await fedStatus(n)).modules?.witness as { origins: WitnessOrigin[] } | undefined)?.origins ?? [];
}

/**
 * What is missing for every node in `viewers` to hold, for every node in `logs`, a witnessed checkpoint
 * of that log's current checkpoint size (the logs must be quiet: nothing ingested meanwhile), as
 * "viewer→org: witnessed W/size S, c/k cosignatures"; empty when nothing is.
 */
export async function witnessGaps(viewers: readonly FedNode[], logs: readonly FedNode[]): Promise<string[]> {
  const sizes = await Promise.all(logs.map(async (l) => [l, await checkpointSize(l)] as const));
  const gaps: string[] = [];
  for (const v of viewers) {
    const view = await witnessView(v);
    for (const [l, size] of sizes) {
      const o = view.find((x) => x.origin === l.init.origin);
      if (o === undefined || o.witnessedSize !== size || o.cosignatures < o.k) {
        gaps.push(
          `${v.org}→${l.org}: witnessed ${o?.witnessedSize ?? '-'}/size ${size}, ${o?.cosignatures ?? 0}/${o?.k ?? '?'}`,
        );
      }
    }
  }
  return gaps;
}

/** Waits until witnessGaps is empty; the timeout error lists the gaps. */
export async function waitForWitnessed(
  viewers: readonly FedNode[],
  logs: readonly FedNode[],
  timeoutMs: number,
): Promise<void> {
  await waitFor(
    'every checkpoint of every member witnessed at every node',
    async () => {
      const gaps = await witnessGaps(viewers, logs);
      if (gaps.length > 0) throw new Error(gaps.join('; '));
      return true;
    },
    timeoutMs,
  );
}

/** Members any of `nodes` flags as misbehaving, as "viewer:member". */
export async function misbehaving(nodes: readonly FedNode[]): Promise<string[]> {
  const all = await Promise.all(nodes.map(async (n) => [n.org, await fedStatus(n)] as [string, FedStatus]));
  return all.flatMap(([viewer, s]) => s.members.filter((m) => m.misbehaving === true).map((m) => `${viewer}:${m.org}`));
}

/** Every node holds charter `version` with one digest. */
export async function sameCharter(nodes: readonly FedNode[], version: number): Promise<boolean> {
  const s = await Promise.all(nodes.map(fedStatus));
  return s.every((x) => x.charterVersion === version) && new Set(s.map((x) => x.charterDigest)).size === 1;
}
