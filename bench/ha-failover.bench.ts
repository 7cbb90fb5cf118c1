/**
 * Failover of an org's node in three `govfed start` processes on one PostgreSQL (issue #19): the writer
 * lease's holder is killed with kill -9, ROUNDS times, and the time is measured from the kill to the first
 * checkpoint signed by the new holder — seen on any surviving process (GET /v1/log/checkpoint, polled
 * every POLL_MS) with a size above the last checkpoint stored in the database when the killed process
 * died (it can store nothing after). Between rounds the killed process is started again (a follower).
 *
 *   idle:   no load but one batch of 10 decisions posted to a survivor right after the kill (sequenced,
 *           durable; the new holder has something to integrate and sign — a checkpoint is signed only
 *           when the tree grew);
 *   ingest: CLIENTS clients posting batches of 100 through every live process during the whole round.
 *
 * Each round is split by the survivors' stderr events: kill → `daemon:role-change` (a follower found
 * the lease expired and took it: the lease's remaining time plus the follower's look every leaseMs/4) →
 * `daemon:role` leader (the process restarted as the holder) → the checkpoint. The lease's remaining
 * time at the kill is read from the database (the lease row's expires_at − now()).
 *
 * Environment: GOVFED_BENCH_LEASE_MS (default 2000; the group is ha-failover-<lease>ms),
 * GOVFED_BENCH_ROUNDS (default 10 per mode). Run alone: `npx node bench/ha-failover.bench.ts`.
 */
import { removeDir } from '../test/helpers/cli.ts';
import { DaemonProcess } from '../test/helpers/daemon.ts';
import type { TestPostgres } from '../test/helpers/postgres-server.ts';
import { makeRecords } from '../test/helpers/records.ts';
import { runAlone } from './alone.ts';
import { benchPostgres, isAlive, roleOf, sharedHomes, waitFor, waitForRole } from './ha-cluster.ts';
import { intSetting } from './settings.ts';
import { nearestRank } from './stats.ts';
import type { BenchResult } from './types.ts';

const LEASE_MS = intSetting('GOVFED_BENCH_LEASE_MS', 2000);
const ROUNDS = intSetting('GOVFED_BENCH_ROUNDS', 10);
const CLIENTS = 4;
const POLL_MS = 25;

interface Proc {
  home: string;
  d: DaemonProcess;
}

interface Round {
  total: number;
  leaseLeft: number;
  toTakeover: number;
  toLeader: number;
  toCheckpoint: number;
}

async function post(d: DaemonProcess, token: string, n: number, tag: string): Promise<number> {
  try {
    const res = await fetch(`${d.url}/v1/decisions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(makeRecords(n, tag)),
      signal: AbortSignal.timeout(5000),
    });
    await res.text();
    return res.status;
  } catch {
    return 0; // gone or restarting
  }
}

async function checkpointSize(d: DaemonProcess, token: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${d.url}/v1/log/checkpoint`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return res.status === 200 ? Number(text.split('\n')[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The size of the last checkpoint stored in the database (key c/<hex16 size> of govfed.log_kv). */
async function storedCheckpoint(server: TestPostgres, db: string): Promise<number> {
  const [row] = await server.sql<{ k: string }>(
    `SELECT convert_from(k, 'UTF8') AS k FROM govfed.log_kv WHERE k >= 'c/'::bytea AND k < 'c0'::bytea ORDER BY k DESC LIMIT 1`,
    [],
    db,
  );
  return row === undefined ? 0 : Number.parseInt(row.k.slice(2), 16);
}

async function leaseLeftMs(server: TestPostgres, db: string): Promise<number> {
  const [row] = await server.sql<{ ms: string }>(
    `SELECT extract(epoch FROM expires_at - now()) * 1000 AS ms FROM govfed.lease WHERE name = 'writer'`,
    [],
    db,
  );
  return Math.max(0, Number(row?.ms));
}

/** Clients posting through every live process until stopped; returns [acknowledged, other replies]. */
function load(procs: readonly Proc[], token: string): { stop: () => Promise<[number, number]> } {
  let stopped = false;
  let ok = 0;
  let other = 0;
  const loops = Array.from({ length: CLIENTS }, async (_, k) => {
    for (let i = 0; !stopped; i++) {
      const live = procs.filter((p) => isAlive(p.d));
      const p = live[(k + i) % Math.max(1, live.length)];
      if (p === undefined) break;
      if ((await post(p.d, token, 100, `fo-${k}-${i}`)) === 200) ok++;
      else {
        other++;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      return [ok, other];
    },
  };
}

/** The survivors' stderr events `name` since `since`, as times (ms since the epoch). */
function eventTimes(
  procs: readonly Proc[],
  name: string,
  match: (e: Record<string, unknown>) => boolean,
  since: number,
): number[] {
  return procs.flatMap((p) =>
    p.d.stderr
      .split('\n')
      .filter((l) => l.includes(`"event":"${name}"`))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter(match)
      .map((e) => Date.parse(e.time as string))
      .filter((t) => t >= since),
  );
}

async function round(procs: Proc[], token: string, server: TestPostgres, db: string, idle: boolean): Promise<Round> {
  // A leader can be between roles (it lost its lease under load and restarts): wait for one.
  const leader = await waitFor(
    async () => procs.find((p) => isAlive(p.d) && roleOf(p.d)?.role === 'leader'),
    60_000,
    POLL_MS,
  );
  const survivors = procs.filter((p) => p !== leader);
  const leaseLeft = await leaseLeftMs(server, db);
  const killedAt = Date.now();
  await leader.d.kill9();
  if (idle) {
    const s = survivors[0]?.d as DaemonProcess;
    await waitFor(async () => ((await post(s, token, 10, `idle-${killedAt}`)) === 200 ? true : undefined), 60_000);
  }
  // Once a survivor took the lease the killed holder's last writes are fenced off: what is stored then
  // is its last checkpoint (a COMMIT it sent just before dying may still land until then).
  const takenAt = await waitFor(
    async () => {
      const t = eventTimes(survivors, 'daemon:role-change', (e) => e.to === 'leader', killedAt);
      return t.length > 0 ? Math.min(...t) : undefined;
    },
    120_000,
    POLL_MS,
  );
  const before = await storedCheckpoint(server, db);
  const leaderAt = await waitFor(
    async () => {
      const t = eventTimes(survivors, 'daemon:role', (e) => e.role === 'leader', killedAt);
      return t.length > 0 ? Math.min(...t) : undefined;
    },
    120_000,
    POLL_MS,
  );
  await waitFor(
    async () => {
      const sizes = await Promise.all(survivors.map((p) => checkpointSize(p.d, token)));
      return sizes.some((s) => s !== undefined && s > before) ? true : undefined;
    },
    120_000,
    POLL_MS,
  );
  const total = Date.now() - killedAt;
  // The killed process comes back as a follower for the next round.
  leader.d = await DaemonProcess.start(leader.home);
  await waitForRole(leader.d, 'follower');
  const toLeader = leaderAt - killedAt;
  return { total, leaseLeft, toTakeover: takenAt - killedAt, toLeader, toCheckpoint: total - toLeader };
}

function result(mode: string, rounds: readonly Round[], extra: string): BenchResult {
  const ms = (k: keyof Round) => {
    const s = rounds.map((r) => r[k]).sort((a, b) => a - b);
    return `p50 ${nearestRank(s, 50).toFixed(0)}, p99 ${nearestRank(s, 99).toFixed(0)}, max ${(s.at(-1) ?? Number.NaN).toFixed(0)}`;
  };
  const total = rounds.reduce((a, r) => a + r.total, 0) / 1000;
  return {
    group: `ha-failover-${LEASE_MS}ms`,
    name: `kill -9 of the lease holder → next checkpoint signed, 3 processes, store.leaseMs ${LEASE_MS}, ${mode}`,
    ops: rounds.length,
    unit: 'failovers',
    opsPerSec: rounds.length / total,
    notes:
      `ms kill → checkpoint: ${ms('total')}; split (ms): lease left at the kill ${ms('leaseLeft')}; ` +
      `kill → lease taken ${ms('toTakeover')}; kill → restarted as leader ${ms('toLeader')}; ` +
      `leader → first checkpoint ${ms('toCheckpoint')}${extra}`,
  };
}

export async function run(): Promise<BenchResult[]> {
  const { server } = await benchPostgres();
  const url = await server.createDatabase('failover');
  const db = new URL(url).pathname.slice(1);
  const { node, homes, token } = await sharedHomes(url, 2, LEASE_MS);
  const procs: Proc[] = [];
  try {
    for (const [i, home] of homes.entries()) {
      procs.push({ home, d: await DaemonProcess.start(home) });
      await waitForRole((procs[i] as Proc).d, i === 0 ? 'leader' : 'follower');
    }
    const results: BenchResult[] = [];
    for (const idle of [true, false]) {
      const rounds: Round[] = [];
      const l = idle ? undefined : load(procs, token);
      for (let r = 0; r < ROUNDS; r++) {
        await new Promise((res) => setTimeout(res, 1000));
        rounds.push(await round(procs, token, server, db, idle));
      }
      const [ok, other] = (await l?.stop()) ?? [0, 0];
      const extra = idle ? '' : `; ${CLIENTS} clients, ${ok} batches acknowledged, ${other} refused or unanswered`;
      results.push(result(idle ? 'idle (one batch after the kill)' : `under ingest`, rounds, extra));
    }
    return results;
  } finally {
    for (const p of procs) if (isAlive(p.d)) await p.d.kill9();
    await server.destroy();
    await removeDir(node.tmp);
  }
}

await runAlone(import.meta, run);
