/**
 * Federation test helpers: nodes with libp2p on 127.0.0.1 (free ports), the federation CLI, polling.
 */
import path from 'node:path';
import { runCli, runCliJson } from './cli.ts';
import { DaemonProcess, initNode, type TestNode } from './daemon.ts';

export interface FedNode extends TestNode {
  org: string;
  daemon: DaemonProcess;
}

/** `govfed init` with libp2p on 127.0.0.1:0, then `govfed start`. */
export async function startFedNode(org: string, jurisdiction: string): Promise<FedNode> {
  const n = await initNode(org, ['--jurisdiction', jurisdiction, '--listen', '/ip4/127.0.0.1/tcp/0']);
  const daemon = await DaemonProcess.start(n.home);
  return { ...n, org, daemon };
}

export interface FedStatus {
  federated: boolean;
  id?: string;
  name?: string;
  charterVersion?: number;
  charterDigest?: string;
  thresholds?: { admission: number; policy: number; charter: number };
  members: { org: string; peerId: string; jurisdiction: string; connected: boolean; lastSeen: string | null }[];
  proposals: { id: string; version: number; memberSignatures: number; required: number; complete: boolean }[];
  peerId: string;
  addresses: string[];
  rejected: Record<string, number>;
}

/** GET /v1/federation with the admin token. */
export async function fedStatus(n: FedNode): Promise<FedStatus> {
  const res = await n.daemon.fetch('/v1/federation', { token: n.adminToken });
  if (res.status !== 200) throw new Error(`GET /v1/federation: ${res.status} ${await res.text()}`);
  return (await res.json()) as FedStatus;
}

/** `govfed federation <args> --home DIR --json` (expects exit 0). */
export async function fedCli<T = Record<string, unknown>>(n: FedNode, args: readonly string[]): Promise<T> {
  return await runCliJson<T>(['federation', ...args, '--home', n.home]);
}

/** Like fedCli but returns the raw result (for failures). */
export async function fedCliRaw(n: FedNode, args: readonly string[]) {
  return await runCli(['federation', ...args, '--home', n.home, '--json']);
}

/** Polls `fn` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until every node holds charter `version` and returns their statuses. */
export async function waitForVersion(
  nodes: readonly FedNode[],
  version: number,
  timeoutMs = 30_000,
): Promise<FedStatus[]> {
  return await waitFor(
    `charter version ${version} on ${nodes.map((n) => n.org).join(', ')}`,
    async () => {
      const all = await Promise.all(nodes.map(fedStatus));
      return all.every((s) => s.charterVersion === version) ? all : undefined;
    },
    timeoutMs,
  );
}

/** The invite file path for `org` in `inviter`'s temp dir. */
export function invitePath(inviter: FedNode, org: string): string {
  return path.join(inviter.tmp, `${org}.invite.json`);
}
