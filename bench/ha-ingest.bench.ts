/**
 * Durable ingest of an org's node on each store, in one run on one machine (issue #19): LevelDB (the
 * default, one process), PostgreSQL not shared (one process), and PostgreSQL shared by 1, 2 and 3
 * `govfed start` processes (docs/operators-guide.md "Running an org's node highly available"), the
 * clients spread over the processes (client c posts to process c mod n). PostgreSQL is a real server with
 * fsync on (bench/ha-cluster.ts).
 *
 * Each setting: CONCURRENCY keep-alive clients posting batches of BATCH decisions for ~DURATION (the
 * driver of bench/ingest-http.bench.ts); a decision counts once its 200 has arrived (durable: in the
 * LevelDB batch synced, or in PostgreSQL's fsynced WAL). Reported: acknowledged decisions/s, p50/p99
 * request latency, CPU of the govfed processes and of PostgreSQL (postmaster and backends) from /proc —
 * in cores and in µs per decision — and what explains the rate: the daemons' commit batches
 * (govfed_append_batch_seconds: count, mean time, decisions per batch; for a shared log that is the
 * sequencing transaction) and PostgreSQL's WAL fsyncs (pg_stat_wal, with track_wal_io_timing).
 *
 * Environment: GOVFED_BENCH_SECONDS (default 10), GOVFED_BENCH_CLIENTS (default 8), GOVFED_BENCH_BATCH
 * (default 100). Run alone: `npx node bench/ha-ingest.bench.ts`. Needs root and Debian's postgresql.
 */
import { removeDir } from '../test/helpers/cli.ts';
import { DaemonProcess, initNode, type TestNode } from '../test/helpers/daemon.ts';
import type { TestPostgres } from '../test/helpers/postgres-server.ts';
import { makeRecords } from '../test/helpers/records.ts';
import { runAlone } from './alone.ts';
import {
  batchStats,
  benchPostgres,
  ingestToken,
  mainThreadCpu,
  postgresCpu,
  postgresDelta,
  processCpu,
  resetStatements,
  sharedHomes,
  topStatements,
  waitFor,
  waitForRole,
  walStats,
} from './ha-cluster.ts';
import { CONCURRENCY, drive, WARMUP_MS } from './ingest-http.bench.ts';
import { intSetting, numberSetting } from './settings.ts';
import { percentile } from './stats.ts';
import type { BenchResult } from './types.ts';

const DURATION_MS = numberSetting('GOVFED_BENCH_SECONDS', 10, 0.1) * 1000;
const BATCH = intSetting('GOVFED_BENCH_BATCH', 100);

const dbName = (url: string) => new URL(url).pathname.slice(1);

/** Until the process takes decisions (a follower answers 503 until it has the leader's enforcement view). */
async function ready(d: DaemonProcess, token: string): Promise<void> {
  await waitFor(
    async () => {
      const res = await fetch(`${d.url}/v1/decisions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(makeRecords(1, `ready-${d.child.pid}`)),
      });
      await res.text();
      return res.status === 200 ? true : undefined;
    },
    60_000,
    200,
  );
}

async function measure(
  setting: string,
  daemons: readonly DaemonProcess[],
  token: string,
  pg: { server: TestPostgres; database?: string },
): Promise<BenchResult> {
  const urls = daemons.map((d) => d.url);
  await drive(urls, token, BATCH, WARMUP_MS, false);
  const pids = daemons.map((d) => d.child.pid as number);
  const govfed = () => pids.reduce((a, p) => a + processCpu(p), 0);
  const batches = async () => {
    const all = await Promise.all(urls.map((u) => batchStats(u, token)));
    return { count: all.reduce((a, b) => a + b.count, 0), seconds: all.reduce((a, b) => a + b.seconds, 0) };
  };
  const wal = async () => (pg.database === undefined ? undefined : await walStats(pg.server, pg.database));
  const mains = () => pids.map(mainThreadCpu);
  const [g0, p0, b0, w0] = [govfed(), postgresCpu(pg.server), await batches(), await wal()];
  const t0 = mains();
  await resetStatements(pg.server);
  const m = await drive(urls, token, BATCH, DURATION_MS, true);
  const t1 = mains();
  const [g1, p1, b1, w1] = [govfed(), postgresCpu(pg.server), await batches(), await wal()];
  const statements = pg.database === undefined ? '' : await topStatements(pg.server, pg.database, m.seconds);
  const pgd = postgresDelta(p0, p1);
  const busiestMain = Math.max(...t1.map((t, i) => t - (t0[i] as number))) / m.seconds;

  const rate = m.decisions / m.seconds;
  const cores = (a: number, b: number) => (b - a) / m.seconds;
  const perDecision = (c: number) => `${((c / rate) * 1e6).toFixed(1)} µs/decision`;
  const lat = [...m.latenciesMs].sort((a, b) => a - b);
  const lag = [...m.lagSeconds].sort((a, b) => a - b);
  const nb = b1.count - b0.count;
  const parts = [
    `acknowledged-durable; latency p50 ${percentile(lat, 0.5).toFixed(1)} ms, p99 ${percentile(lat, 0.99).toFixed(1)} ms over ${m.requests} requests in ${m.seconds.toFixed(1)} s`,
    `503 ${m.rejected}`,
    `checkpoint lag p50 ${percentile(lag, 0.5).toFixed(2)} s, max ${(lag.at(-1) ?? Number.NaN).toFixed(2)} s`,
    `CPU: govfed ${cores(g0, g1).toFixed(2)} cores (${perDecision(cores(g0, g1))}; busiest main thread ${busiestMain.toFixed(2)}), PostgreSQL ${(pgd.total / m.seconds).toFixed(2)} cores (${perDecision(pgd.total / m.seconds)}; busiest process ${(pgd.busiest / m.seconds).toFixed(2)}), clients ${m.clientCores.toFixed(2)} cores`,
    `commit batches ${nb} (${(nb / m.seconds).toFixed(0)}/s, mean ${(((b1.seconds - b0.seconds) / nb) * 1000).toFixed(1)} ms, ${(m.decisions / nb).toFixed(0)} decisions each)`,
  ];
  if (w0 !== undefined && w1 !== undefined) {
    const syncs = w1.syncs - w0.syncs;
    parts.push(
      `PostgreSQL: ${((w1.commits - w0.commits) / m.seconds).toFixed(0)} commits/s, ${(syncs / m.seconds).toFixed(0)} WAL fsyncs/s (mean ${((w1.syncMs - w0.syncMs) / syncs).toFixed(2)} ms, ${(((w1.syncMs - w0.syncMs) / 1000 / m.seconds) * 100).toFixed(0)}% of the time), ${((w1.inserted - w0.inserted) / m.decisions).toFixed(1)} log_kv rows inserted per decision`,
    );
  }
  if (statements !== '') parts.push(`PostgreSQL's time by statement: ${statements}`);
  return {
    group: 'ha-ingest',
    name: `POST /v1/decisions, batches of ${BATCH}, ${CONCURRENCY} clients, ${setting}`,
    ops: m.decisions,
    unit: 'decisions',
    opsPerSec: rate,
    notes: parts.join('; '),
  };
}

export async function run(): Promise<BenchResult[]> {
  const { server, version } = await benchPostgres();
  const nodes: TestNode[] = [];
  let running: DaemonProcess[] = [];
  const stopAll = async () => {
    // Followers first: a leader stopped first would hand its lease to a follower, which restarts.
    for (const d of [...running].reverse()) {
      const exit = await d.stop('SIGTERM', 60_000);
      if (exit.code !== 0) throw new Error(`daemon exited with ${exit.code ?? exit.signal}`);
    }
    running = [];
  };
  const results: BenchResult[] = [];
  try {
    const level = await initNode('bench');
    nodes.push(level);
    running = [await DaemonProcess.start(level.home)];
    results.push(await measure('LevelDB (default), 1 process', running, await ingestToken(level.home), { server }));
    await stopAll();

    const soloUrl = await server.createDatabase('solo');
    const solo = await initNode('bench', ['--store', soloUrl]);
    nodes.push(solo);
    const soloToken = await ingestToken(solo.home); // with no process running: the lease holder owns the state
    running = [await DaemonProcess.start(solo.home)];
    results.push(
      await measure(`PostgreSQL ${version} not shared, 1 process`, running, soloToken, {
        server,
        database: dbName(soloUrl),
      }),
    );
    await stopAll();

    const sharedUrl = await server.createDatabase('shared');
    const { node, homes, token } = await sharedHomes(sharedUrl, 2);
    nodes.push(node);
    for (const [i, home] of homes.entries()) {
      const d = await DaemonProcess.start(home);
      running.push(d);
      await waitForRole(d, i === 0 ? 'leader' : 'follower');
      await ready(d, token);
      const setting = `PostgreSQL ${version} shared, ${i + 1} process${i === 0 ? '' : 'es'}`;
      results.push(await measure(setting, running, token, { server, database: dbName(sharedUrl) }));
    }
    await stopAll();
    return results;
  } finally {
    for (const d of running) await d.kill9();
    await server.destroy();
    for (const n of nodes) await removeDir(n.tmp);
  }
}

await runAlone(import.meta, run);
