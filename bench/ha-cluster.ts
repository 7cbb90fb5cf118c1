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
import { addProcess, lastRole } from '../test/helpers/ha.ts';
import { TestPostgres } from '../test/helpers/postgres-server.ts';
import { metricValue } from '../test/helpers/records.ts';

/**
 * A PostgreSQL for a bench: fsync on (an acknowledged decision is in fsynced WAL), WAL I/O timed, and
 * pg_stat_statements loaded (where the server's time goes, statement by statement).
 */
export async function benchPostgres(): Promise<{ server: TestPostgres; version: string }> {
  const server = await TestPostgres.create({ fsync: true });
  await server.sql('ALTER SYSTEM SET track_wal_io_timing = on');
  await server.sql("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
  await server.stop('fast');
  await server.start();
  await server.sql('CREATE EXTENSION pg_stat_statements');
  const [row] = await server.sql<{ server_version: string }>('SHOW server_version');
  return { server, version: row?.server_version ?? 'unknown' };
}

/** Forgets the statement statistics (pg_stat_statements) of every database. */
export async function resetStatements(server: TestPostgres): Promise<void> {
  await server.sql('SELECT pg_stat_statements_reset()');
}

/** The `top` statements of `database` by total execution time since the reset, as text. */
export async function topStatements(server: TestPostgres, database: string, seconds: number, top = 5): Promise<string> {
  const rows = await server.sql<{ query: string; calls: string; total: number }>(
    `SELECT s.query, s.calls, s.total_exec_time AS total FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
      WHERE d.datname = $1 ORDER BY s.total_exec_time DESC LIMIT $2`,
    [database, top],
  );
  return rows
    .map((r) => {
      const q = r.query
        .replace(/\s+/g, ' ')
        .replace(/"?govfed"?\./g, '')
        .slice(0, 48);
      const calls = Number(r.calls);
      return `"${q}" ${calls} calls, mean ${(r.total / calls).toFixed(2)} ms, ${((r.total / 1000 / seconds) * 100).toFixed(0)}% of the wall time`;
    })
    .join(' | ');
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
    const r = await addProcess(node.home, home);
    if (r.code !== 0) throw new Error(`govfed ha add-process: ${r.stderr}`);
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
  return lastRole(d.stderr);
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

/**
 * CPU seconds of a PostgreSQL server so far, by process: the postmaster (key 0, with its waited-for
 * children) and each live child (backends, WAL writer, checkpointer …).
 */
export function postgresCpu(server: TestPostgres): Map<number, number> {
  const out = new Map<number, number>();
  const root = server.pid();
  if (root === undefined) return out;
  const [own, children] = stat(root);
  out.set(0, own + children);
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const f = readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      if (Number(f[1]) === root) out.set(Number(e), stat(Number(e))[0]);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Between two postgresCpu readings: all of the server's CPU seconds, and the busiest single process's. */
export function postgresDelta(a: Map<number, number>, b: Map<number, number>): { total: number; busiest: number } {
  let total = 0;
  let busiest = 0;
  for (const [pid, cpu] of b) {
    const d = cpu - (a.get(pid) ?? 0);
    total += d;
    if (pid !== 0) busiest = Math.max(busiest, d);
  }
  return { total, busiest };
}

/** CPU seconds of a process's main thread (a govfed process's JavaScript thread) so far. */
export function mainThreadCpu(pid: number): number {
  const f = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** WAL writes and fsyncs (times in ms with track_wal_io_timing), commits, and log_kv rows inserted so far. */
export async function walStats(
  server: TestPostgres,
  database: string,
): Promise<{ syncs: number; syncMs: number; writes: number; commits: number; inserted: number }> {
  const [w] = await server.sql<{ wal_sync: string; wal_sync_time: number; wal_write: string }>(
    'SELECT wal_sync, wal_sync_time, wal_write FROM pg_stat_wal',
  );
  const [d] = await server.sql<{ xact_commit: string }>('SELECT xact_commit FROM pg_stat_database WHERE datname = $1', [
    database,
  ]);
  const [t] = await server.sql<{ n: string }>(
    "SELECT n_tup_ins AS n FROM pg_stat_user_tables WHERE relname = 'log_kv'",
    [],
    database,
  );
  return {
    syncs: Number(w?.wal_sync),
    syncMs: Number(w?.wal_sync_time),
    writes: Number(w?.wal_write),
    commits: Number(d?.xact_commit),
    inserted: Number(t?.n),
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
