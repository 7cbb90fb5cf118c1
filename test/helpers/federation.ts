/**
 * Federation test helpers: nodes with libp2p on 127.0.0.1 (free ports), the federation CLI, polling.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, runCliJson } from './cli.ts';
import { DaemonProcess, initNode, type TestNode } from './daemon.ts';

export interface FedNode extends TestNode {
  org: string;
  daemon: DaemonProcess;
  /** The network namespace the daemon runs in (test/helpers/netns.ts), if any. */
  netns?: string;
}

/** Where a node runs: by default 127.0.0.1 with OS-chosen ports; or one host of a netns Fabric. */
export interface NodePlacement {
  /** The host's address: the API listens on ADDR:7370, libp2p on /ip4/ADDR/tcp/4001. */
  addr: string;
  netns: string;
}

/**
 * Nodes started here, by peer id, with the jurisdiction they were initialised with: `federation invite`
 * in fedCli adds the invitee's log and witness keys and its jurisdiction (its node refuses another one).
 */
const byPeerId = new Map<string, TestNode & { jurisdiction: string }>();

/** The jurisdiction a node started by startFedNode was initialised with. */
export function jurisdictionOf(peerId: string): string | undefined {
  return byPeerId.get(peerId)?.jurisdiction;
}

/** The jurisdiction in a node's config.json (nodes not started by startFedNode), if it has a home. */
async function configJurisdiction(n: { home?: string }): Promise<string | undefined> {
  if (n.home === undefined) return undefined;
  const config = JSON.parse(await readFile(path.join(n.home, 'config.json'), 'utf8')) as { jurisdiction?: string };
  return config.jurisdiction;
}

/**
 * `govfed init` with libp2p on 127.0.0.1:0 (or on the placement's address, fixed ports, so that a
 * restarted node keeps its address), then `govfed start` (inside the placement's namespace).
 */
export async function startFedNode(org: string, jurisdiction: string, at?: NodePlacement): Promise<FedNode> {
  const listen = at === undefined ? ['--listen', '/ip4/127.0.0.1/tcp/0'] : placementArgs(at);
  const n = await initNode(org, ['--jurisdiction', jurisdiction, ...listen]);
  byPeerId.set(n.init.peerId, { ...n, jurisdiction });
  const daemon = await DaemonProcess.start(n.home, at === undefined ? {} : { netns: at.netns, timeoutMs: 120_000 });
  return { ...n, org, daemon, ...(at === undefined ? {} : { netns: at.netns }) };
}

function placementArgs(at: NodePlacement): string[] {
  return ['--api', `${at.addr}:7370`, '--listen', `/ip4/${at.addr}/tcp/4001`];
}

/** Starts a stopped node's daemon again, in its namespace if it has one; updates `n.daemon`. */
export async function restartFedNode(n: FedNode): Promise<DaemonProcess> {
  n.daemon = await DaemonProcess.start(n.home, n.netns === undefined ? {} : { netns: n.netns, timeoutMs: 120_000 });
  return n.daemon;
}

/**
 * `federation invite` arguments with the invitee's --log-key and --witness-key added (when the invitee
 * was started by startFedNode and they are not given), so every test federation publishes both keys,
 * and its --jurisdiction when not given (the invitee refuses an invite with another one).
 */
export function withMemberKeys(args: readonly string[]): string[] {
  if (args[0] !== 'invite' || args.includes('--card')) return args.slice();
  const at = args.indexOf('--peer-id');
  const invitee = at < 0 ? undefined : byPeerId.get(args[at + 1] as string);
  if (invitee === undefined) return args.slice();
  const extra = args.includes('--jurisdiction') ? [] : ['--jurisdiction', invitee.jurisdiction];
  if (args.includes('--log-key') || args.includes('--witness-key')) return args.concat(extra);
  extra.push('--log-key', invitee.init.verifierKey);
  if (invitee.init.witnessKey !== undefined) extra.push('--witness-key', invitee.init.witnessKey);
  return args.concat(extra);
}

export interface FedStatus {
  federated: boolean;
  id?: string;
  name?: string;
  charterVersion?: number;
  charterDigest?: string;
  thresholds?: { admission: number; policy: number; charter: number; witness?: number };
  members: {
    org: string;
    peerId: string;
    jurisdiction: string;
    logKey?: string | null;
    retiredLogKeys?: string[];
    witnessKey?: string | null;
    misbehaving?: boolean;
    connected: boolean;
    lastSeen: string | null;
  }[];
  proposals: { id: string; version: number; memberSignatures: number; required: number; complete: boolean }[];
  peerId: string;
  addresses: string[];
  rejected: Record<string, number>;
  modules?: Record<string, Record<string, unknown>>;
}

/** GET /v1/federation with the admin token. */
export async function fedStatus(n: FedNode): Promise<FedStatus> {
  const res = await n.daemon.fetch('/v1/federation', { token: n.adminToken });
  if (res.status !== 200) throw new Error(`GET /v1/federation: ${res.status} ${await res.text()}`);
  return (await res.json()) as FedStatus;
}

/** `govfed federation <args> --home DIR --json` (expects exit 0). */
export async function fedCli<T = Record<string, unknown>>(n: FedNode, args: readonly string[]): Promise<T> {
  return await runCliJson<T>(['federation', ...withMemberKeys(args), '--home', n.home]);
}

/** Like fedCli but returns the raw result (for failures). */
export async function fedCliRaw(n: FedNode, args: readonly string[]) {
  return await runCli(['federation', ...withMemberKeys(args), '--home', n.home, '--json']);
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

/** POST (or another method) with the admin token; throws unless 200. */
export async function adminPost(
  n: Pick<FedNode, 'daemon' | 'adminToken'>,
  path: string,
  body: unknown,
  method = 'POST',
): Promise<Record<string, unknown>> {
  const res = await n.daemon.fetch(path, {
    method,
    token: n.adminToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const v = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(v)}`);
  return v;
}

/**
 * Forms a federation over HTTP: the first node founds it with `thresholds`, then invites the others
 * one at a time (with their log and witness keys, so that they can be witnessed and proven), each
 * joining with its invite. Admission threshold 1. Resolves when every node holds the last version.
 */
export async function formFederation(
  nodes: readonly (Pick<FedNode, 'daemon' | 'adminToken' | 'init' | 'org'> & { home?: string })[],
  opts: {
    name?: string;
    thresholds?: { policy?: number; witness?: number; charter?: number };
    /** How long each version may take to be held (default 60 s; a bench at N = 20 on 2 cores needs more). */
    versionTimeoutMs?: number;
  } = {},
): Promise<{ federationId: string; version: number }> {
  const timeoutMs = opts.versionTimeoutMs ?? 60_000;
  const [founder, ...others] = nodes;
  if (founder === undefined) throw new Error('formFederation: no nodes');
  const created = (await adminPost(founder, '/v1/federation', {
    name: opts.name ?? 'test federation',
    ...(opts.thresholds === undefined ? {} : { thresholds: opts.thresholds }),
  })) as { status: { id: string } };
  let version = 1;
  for (const o of others) {
    const jurisdiction = jurisdictionOf(o.init.peerId) ?? (await configJurisdiction(o));
    const inv = await adminPost(founder, '/v1/federation/invites', {
      org: o.init.org,
      peerId: o.init.peerId,
      ...(jurisdiction === undefined ? {} : { jurisdiction }),
      logKey: o.init.verifierKey,
      ...(o.init.witnessKey === undefined ? {} : { witnessKey: o.init.witnessKey }),
    });
    await adminPost(o, '/v1/federation/join', { invite: inv.invite });
    version += 1;
    await waitForVersion([founder as FedNode], version, timeoutMs);
  }
  await waitForVersion(nodes as FedNode[], version, timeoutMs);
  return { federationId: created.status.id, version };
}

/** The invite file path for `org` in `inviter`'s temp dir. */
export function invitePath(inviter: FedNode, org: string): string {
  return path.join(inviter.tmp, `${org}.invite.json`);
}

/** `cli identity create` on `n`'s home: a person `name` with `role`, the key written to `keyFile`. */
export async function createIdentity(
  n: Pick<FedNode, 'home'>,
  name: string,
  role: string,
  keyFile: string,
): Promise<{ keyFile: string; publicKey: string; rosterVersion: number }> {
  const args = ['identity', 'create', '--name', name, '--role', role, '--key-out', keyFile, '--home', n.home, '--json'];
  return await runCliJson(args);
}
