/**
 * What the HA benches (ha-ingest.bench.ts, ha-failover.bench.ts) share: a real PostgreSQL with fsync on
 * (test/helpers/postgres-server.ts, Debian's server run as the `postgres` user), an org's homes made as
 * docs/operators-guide.md "Running an org's node highly available" makes them (`govfed init --store …
 * --shared`, `govfed ha add-process`), each process's role from its stderr events, and CPU seconds from
 * /proc — of a govfed process, and of the PostgreSQL server (the postmaster and all its backends).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, runCliJson } from '../test/helpers/cli.ts';
import { type DaemonProcess, initNode, type TestNode } from '../test/helpers/daemon.ts';
import { TestPostgres } from '../test/helpers/postgres-server.ts';
import { metricValue } from '../test/helpers/records.ts';

/** A PostgreSQL for a bench: fsync on (an acknowledged decision is in fsynced WAL), WAL I/O timed. */
export async function benchPostgres(): Promise<{ server: TestPostgres; version: string }> {
  const server = await TestPostgres.create({ fsync: true });
  await server.sql('ALTER SYSTEM SET track_wal_io_timing = on');
  await server.sql('SELECT pg_reload_conf()');
  const [row] = await server.sql<{ server_version: string }>('SHOW server_version');
  return { server, version: row?.server_version ?? 'unknown' };
}

/** An org's home on `url`, shared, with `extra` homes made by `govfed ha add-process`; an ingest token. */
export async function sharedHomes(
  url: string,
  extra: number,
  leaseMs?: number,
): Promise<{ node: TestNode; homes: string[]; token: string }> {
  const node = await initNode('bench', ['--store', url, '--shared', '--listen', '/ip4/127.0.0.1/tcp/0']);
  if (leaseMs !== undefined) await cli(['config', 'set', 'store.leaseMs', String(leaseMs), '--home', node.home]);
  const homes = [node.home];
  for (let i = 0; i < extra; i++) {
    const home = path.join(node.tmp, `p${i + 2}`);
    await cli([
      'ha',
      'add-process',
      '--from',
      node.home,
      '--home',
      home,
      '--api',
      '127.0.0.1:0',
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
    ]);
    homes.push(home);
  }
  return { node, homes, token: await ingestToken(node.home) };
}

export async function ingestToken(home: string): Promise<string> {
  return (await runCliJson<{ token: string }>(['token', 'create', '--home', home, '--role', 'ingest'])).token;
}

async function cli(args: string[]): Promise<void> {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`govfed ${args.slice(0, 2).join(' ')}: ${r.stderr}`);
}

/** The process's role and when it said so, from its last `daemon:role` event on stderr. */
export function roleOf(d: DaemonProcess): { role: string; at: number } | undefined {
  const lines = d.stderr.split('\n').filter((l) => l.includes('"event":"daemon:role"'));
  const last = lines[lines.length - 1];
  if (last === undefined) return undefined;
  const e = JSON.parse(last) as { role: string; time: string };
  return { role: e.role, at: Date.parse(e.time) };
}

export const isAlive = (d: DaemonProcess) => d.child.exitCode === null && d.child.signalCode === null;

/** Polls `fn` every `everyMs` until it gives a value (not undefined); throws after `ms`. */
export async function waitFor<T>(fn: () => Promise<T | undefined>, ms: number, everyMs = 50): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function waitForRole(d: DaemonProcess, role: string, ms = 60_000): Promise<void> {
  await waitFor(async () => (roleOf(d)?.role === role ? true : undefined), ms);
}

/** [utime + stime, cutime + cstime] of a process, in seconds (USER_HZ 100). */
function stat(pid: number): [number, number] {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return [(Number(f[11]) + Number(f[12])) / 100, (Number(f[13]) + Number(f[14])) / 100];
}

/** CPU seconds a process used so far. */
export function processCpu(pid: number): number {
  return stat(pid)[0];
}

/** CPU seconds of a PostgreSQL server so far: the postmaster, its live children, and its waited-for ones. */
export function postgresCpu(server: TestPostgres): number {
  const root = server.pid();
  if (root === undefined) return Number.NaN;
  const [own, children] = stat(root);
  let sum = own + children;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const f = readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      if (Number(f[1]) === root) sum += stat(Number(e))[0];
    } catch {
      // gone meanwhile
    }
  }
  return sum;
}

/** WAL writes and fsyncs so far (pg_stat_wal; times in ms with track_wal_io_timing). */
export async function walStats(
  server: TestPostgres,
  database: string,
): Promise<{ syncs: number; syncMs: number; writes: number; commits: number }> {
  const [w] = await server.sql<{ wal_sync: string; wal_sync_time: number; wal_write: string }>(
    'SELECT wal_sync, wal_sync_time, wal_write FROM pg_stat_wal',
  );
  const [d] = await server.sql<{ xact_commit: string }>('SELECT xact_commit FROM pg_stat_database WHERE datname = $1', [
    database,
  ]);
  return {
    syncs: Number(w?.wal_sync),
    syncMs: Number(w?.wal_sync_time),
    writes: Number(w?.wal_write),
    commits: Number(d?.xact_commit),
  };
}

/** The daemon's sequencing/append batches so far (govfed_append_batch_seconds: count and sum). */
export async function batchStats(url: string, token: string): Promise<{ count: number; seconds: number }> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return {
    count: metricValue(text, 'govfed_append_batch_seconds_count') ?? Number.NaN,
    seconds: metricValue(text, 'govfed_append_batch_seconds_sum') ?? Number.NaN,
  };
}
