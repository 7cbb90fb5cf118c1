/**
 * A federation of N real nodes in a few processes — the cheaper harness for N = 50 on this machine:
 * `perHost` nodes per process (bench/host.ts), each node a real Daemon (its own LevelDB, libp2p host on
 * 127.0.0.1 with noise and yamux, HTTP server), formed into one federation through the same invite/join
 * HTTP calls as bench/cluster.ts. What is shared is the process (V8 heap, event loop, one CPU at a time),
 * not the network: every node dials every other over TCP, and every message is signed and verified as
 * between separate machines. Events are read from the host's stderr, by org. With
 * GOVFED_HOST_PROFILE_DIR=DIR each host can write a CPU profile of a phase (bench/host.ts, idle-cost.ts).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeDir } from '../test/helpers/cli.ts';
import { initNode } from '../test/helpers/daemon.ts';
import { formFederation } from '../test/helpers/federation.ts';
import type { FedNode } from './cluster.ts';

const HOST = path.join(path.dirname(fileURLToPath(import.meta.url)), 'host.ts');

interface Host {
  child: ChildProcessWithoutNullStreams;
  /** The host's stderr so far. */
  stderr: string;
  /** Its complete lines by the org they name (each node's events), appended as they arrive. */
  byOrg: Map<string, string>;
  /** The last line, not yet complete. */
  partial: string;
}

/** Files `d` (a chunk of the host's stderr) by org: a node's events are read often, and only grow. */
function take(host: Host, d: string): void {
  host.stderr += d;
  const lines = (host.partial + d).split('\n');
  host.partial = lines.pop() ?? '';
  for (const line of lines) {
    const org = /"org":"([^"]+)"/.exec(line)?.[1];
    if (org !== undefined) host.byOrg.set(org, `${host.byOrg.get(org) ?? ''}${line}\n`);
  }
}

export interface HostedCluster {
  nodes: FedNode[];
  hosts: number;
  /** The host processes' ids (to read their CPU from /proc, or signal them). */
  pids: number[];
  stop(): Promise<void>;
}

/** A FedNode's daemon as far as the benches use it: fetch, stderr (this org's lines) and stop. */
function hostedDaemon(host: Host, org: string, url: string): FedNode['daemon'] {
  const daemon = {
    url,
    get stderr() {
      return host.byOrg.get(org) ?? '';
    },
    async fetch(pathAndQuery: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
      const { token, headers, ...rest } = init;
      const h = new Headers(headers);
      if (token !== undefined) h.set('authorization', `Bearer ${token}`);
      return await fetch(`${url}${pathAndQuery}`, { ...rest, headers: h });
    },
    async stop() {},
  };
  return daemon as unknown as FedNode['daemon'];
}

/**
 * Starts one host process for `homes`. With GOVFED_BENCH_LOG_DIR set, its stderr (every node's events)
 * is also written to `host-<index>.log` there, to look into a run after it ended or failed.
 */
async function startHost(homes: readonly string[], index: number): Promise<{ host: Host; urls: Map<string, string> }> {
  const profileDir = process.env.GOVFED_HOST_PROFILE_DIR;
  const child = spawn(process.execPath, [HOST, ...homes], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env:
      profileDir === undefined
        ? process.env
        : { ...process.env, GOVFED_HOST_PROFILE: path.join(profileDir, `host-${index}.cpuprofile`) },
  }) as never as ChildProcessWithoutNullStreams;
  const host: Host = { child, stderr: '', byOrg: new Map(), partial: '' };
  const logDir = process.env.GOVFED_BENCH_LOG_DIR;
  const log = logDir === undefined ? undefined : createWriteStream(path.join(logDir, `host-${index}.log`));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    take(host, d);
    log?.write(d);
  });
  child.once('exit', () => log?.end());
  const urls = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      for (const m of out.matchAll(/^ready (\S+) (\S+)$/gm)) urls.set(m[1] as string, m[2] as string);
      if (urls.size === homes.length) resolve();
    });
    child.on('exit', (code) => reject(new Error(`host exited (${code}): ${host.stderr.slice(-2000)}`)));
  });
  return { host, urls };
}

/** Starts `n` nodes, `perHost` per process, and forms one federation (org0 founds it). */
export async function startHostedCluster(n: number, perHost = 10): Promise<HostedCluster> {
  const inits: Awaited<ReturnType<typeof initNode>>[] = [];
  for (let i = 0; i < n; i += 5) {
    inits.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(5, n - i) }, (_, j) =>
          initNode(`org${i + j}`, ['--jurisdiction', 'EU', '--listen', '/ip4/127.0.0.1/tcp/0']),
        ),
      )),
    );
  }
  const hosts: Host[] = [];
  const nodes: FedNode[] = [];
  const stop = async () => {
    await Promise.all(
      hosts.map(
        (h) =>
          new Promise<void>((resolve) => {
            if (h.child.exitCode !== null) return resolve();
            h.child.once('exit', () => resolve());
            h.child.kill('SIGTERM');
            setTimeout(() => h.child.kill('SIGKILL'), 20_000).unref();
          }),
      ),
    );
    await Promise.all(inits.map((x) => removeDir(x.tmp)));
  };
  try {
    for (let i = 0; i < n; i += perHost) {
      const group = inits.slice(i, i + perHost);
      const { host, urls } = await startHost(
        group.map((x) => x.home),
        hosts.length,
      );
      hosts.push(host);
      for (const x of group) {
        const url = urls.get(x.home) as string;
        nodes.push({ ...x, org: x.init.org, daemon: hostedDaemon(host, x.init.org, url) } as FedNode);
      }
    }
    await formFederation(nodes, { name: `hosted ${n}`, versionTimeoutMs: 600_000 });
    return { nodes, hosts: hosts.length, pids: hosts.map((h) => h.child.pid as number), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
