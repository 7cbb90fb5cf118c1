/**
 * Issue 17's ingest half: is the key layout the bound, or the machine? An ablation of the acknowledged
 * write. The real HTTP ingest path — a real Daemon in a child process (bench/ablation-host.ts: fastify,
 * ingest workers, policy enforcer, LevelDB in a fresh temp home, synced group commit), CONCURRENCY
 * keep-alive clients posting batches of 1,000 (bench/ingest-http.bench.ts drive()) — with the log's
 * store wrapped so that whole kinds of keys are left out of every batch (bench/ablation-db.ts):
 *
 *   full              today's layout (through the same wrapper)
 *   no-search         without the search keys s/…
 *   no-index          without s/…, x/… (leaf-hash lookup) and d/… (decision-id lookup)
 *   minimal           only l/ leaf, r/ record and m/size: no stored hashes either (kept in memory)
 *   minimal-unsynced  minimal, batches written without fsync
 *   full-unsynced     full, batches written without fsync
 *   minimal-w0 / -w4  minimal with ingestWorkers 0 (sealing on the main thread) / 4
 *   full-array        full, each batch written as one array batch (only when named: a candidate change)
 *   none              only m/size per batch, no leaf or record (only when named: the JavaScript's ceiling)
 * Every variant except `full` writes a store that is NOT a valid log: an ablation, nothing else.
 *
 * The variants alternate in ROUNDS rounds (each run on a fresh home), and each round also runs the raw
 * LevelDB limit of bench/ingest-raw.bench.ts (synced batches of 1,000, l/ + r/ only, in this process) so
 * that every ratio is to raw LevelDB in the same run. Per run: acknowledged decisions/s, p50/p99 ack
 * latency, daemon CPU (cores and µs per decision), CPU per thread kind (/proc/<pid>/task/*), bytes on
 * disk per decision, LevelDB's write stalls (its LOG's "waiting" lines), and what the rest of the machine
 * used meanwhile (/proc/stat): each run first waits (≤ 120 s) for a quiet machine, which others share.
 *
 * Environment: GOVFED_BENCH_SECONDS (per run, default 10), GOVFED_BENCH_ABLATION_ROUNDS (default 2),
 * GOVFED_BENCH_ABLATION_VARIANTS (comma-separated ids, default all), GOVFED_BENCH_ABLATION_PROFILE=DIR
 * (start each daemon with --cpu-prof into DIR: profile runs, not measurement runs).
 * Run: `npm run bench -- ingest-ablation`, or alone `npx node bench/ingest-ablation.bench.ts`.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeDir, runCliJson } from '../test/helpers/cli.ts';
import { initNode } from '../test/helpers/daemon.ts';
import type { AblationLayout } from './ablation-db.ts';
import { runAlone } from './alone.ts';
import { CONCURRENCY, coresByKind, drive, type Measurement, threadCpu, WARMUP_MS } from './ingest-http.bench.ts';
import { makeEntries, rawLimit } from './ingest-raw.bench.ts';
import { choiceListSetting, intSetting, numberSetting } from './settings.ts';
import { percentile } from './stats.ts';
import { diskBytes, loadavg } from './sys.ts';
import type { BenchResult } from './types.ts';

const HOST = join(fileURLToPath(new URL('.', import.meta.url)), 'ablation-host.ts');
const SECONDS = numberSetting('GOVFED_BENCH_SECONDS', 10, 0.1);
const ROUNDS = intSetting('GOVFED_BENCH_ABLATION_ROUNDS', 2);
const PROFILE_DIR = process.env.GOVFED_BENCH_ABLATION_PROFILE;
const BATCH = 1000;
const GROUP = 'ingest-ablation';

interface Variant {
  id: string;
  layout: AblationLayout;
  unsynced?: boolean;
  /** Write each batch as one array batch instead of a chained batch (ablation-db.ts). */
  arrayBatch?: boolean;
  /** ingestWorkers in config.json (undefined: the default, one per core). */
  workers?: number;
  what: string;
}

const VARIANTS: readonly Variant[] = [
  { id: 'full', layout: 'full', what: 'every key (today)' },
  { id: 'no-search', layout: 'no-search', what: 'without s/ search keys' },
  { id: 'no-index', layout: 'no-index', what: 'without s/, x/, d/' },
  { id: 'minimal', layout: 'minimal', what: 'l/ + r/ + m/size only (no h/)' },
  { id: 'minimal-unsynced', layout: 'minimal', unsynced: true, what: 'minimal, no fsync' },
  { id: 'full-unsynced', layout: 'full', unsynced: true, what: 'every key, no fsync' },
  { id: 'minimal-w0', layout: 'minimal', workers: 0, what: 'minimal, ingestWorkers 0' },
  { id: 'minimal-w4', layout: 'minimal', workers: 4, what: 'minimal, ingestWorkers 4' },
  { id: 'full-array', layout: 'full', arrayBatch: true, what: 'every key, one array batch per write' },
  { id: 'none', layout: 'none', what: 'm/size only: no leaf, no record (the JavaScript alone)' },
];
/** Run only when named in GOVFED_BENCH_ABLATION_VARIANTS (a candidate change, not part of the ablation). */
const ON_REQUEST = new Set(['full-array', 'none']);

interface Run {
  m: Measurement;
  threads: string;
  bytesPerDecision: number;
  stalls: number;
  load: string;
  /** Cores the rest of the machine used during the measurement (all CPU − daemon − this process). */
  others: number;
  /** Seconds waited for a quiet machine before the run. */
  waited: number;
}

/** Busy CPU seconds of the whole machine so far (/proc/stat: everything but idle and iowait). */
async function machineBusy(): Promise<number> {
  const f = (await readFile('/proc/stat', 'utf8')).split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const total = f.reduce((a, b) => a + b, 0);
  return (total - (f[3] ?? 0) - (f[4] ?? 0)) / 100;
}

/** Waits (at most 120 s) until the machine used < 0.3 cores over 2 s: other helpers' tests share it. */
async function quiet(): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const a = await machineBusy();
    await new Promise((r) => setTimeout(r, 2000));
    const busy = ((await machineBusy()) - a) / 2;
    const waited = (performance.now() - t0) / 1000;
    if (busy < 0.3 || waited > 120) return waited - 2;
  }
}

/** Lines of LevelDB's LOG(s) under `dir` saying that writes waited (level-0 files or a full memtable). */
async function levelStalls(dir: string): Promise<number> {
  let n = 0;
  for (const f of await readdir(dir, { recursive: true })) {
    if (!/(^|\/)LOG(\.old)?$/.test(f)) continue;
    const text = await readFile(join(dir, f), 'utf8');
    n += text.split('\n').filter((l) => /waiting/.test(l)).length;
  }
  return n;
}

/** Starts bench/ablation-host.ts for `home` and waits for its "listening on" line. */
async function startHost(home: string, v: Variant) {
  const args = [
    ...(PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`]),
    HOST,
    home,
    v.layout,
    ...(v.unsynced === true ? ['unsynced'] : []),
    ...(v.arrayBatch === true ? ['array'] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) {
        clearInterval(timer);
        resolve(m[1] as string);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`ablation host exited (${code}) before listening: ${err.slice(-2000)}`));
    });
  });
  return {
    url,
    pid: child.pid as number,
    async stop(): Promise<void> {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`ablation host exited with ${code}: ${err.slice(-2000)}`);
    },
  };
}

async function runVariant(v: Variant): Promise<Run> {
  const node = await initNode('bench');
  try {
    const { token } = await runCliJson<{ token: string }>(['token', 'create', '--home', node.home, '--role', 'ingest']);
    const configFile = join(node.home, 'config.json');
    const config = JSON.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
    if (v.workers === undefined) delete config.ingestWorkers;
    else config.ingestWorkers = v.workers;
    await writeFile(configFile, JSON.stringify(config, null, 2));
    const waited = await quiet();
    const load = loadavg();
    const host = await startHost(node.home, v);
    let m: Measurement;
    let warm: Measurement;
    let threads: string;
    let others: number;
    try {
      warm = await drive(host.url, token, BATCH, WARMUP_MS, false);
      const before = threadCpu(host.pid);
      const busy0 = await machineBusy();
      m = await drive(host.url, token, BATCH, SECONDS * 1000, true);
      others = ((await machineBusy()) - busy0) / m.seconds - m.daemonCores - m.clientCores;
      threads = coresByKind(before, threadCpu(host.pid), m.seconds);
    } finally {
      await host.stop();
    }
    // Everything the run wrote (warm-up included), over every decision it acknowledged.
    const total = warm.decisions + m.decisions;
    return {
      m,
      threads,
      bytesPerDecision: (await diskBytes(node.home)) / total,
      stalls: await levelStalls(node.home),
      load,
      others,
      waited,
    };
  } finally {
    await removeDir(node.tmp);
  }
}

const k = (n: number) => `${(n / 1000).toFixed(1)}k`;

function variantResult(v: Variant, runs: readonly Run[], raw: number): BenchResult {
  const decisions = runs.reduce((a, r) => a + r.m.decisions, 0);
  const seconds = runs.reduce((a, r) => a + r.m.seconds, 0);
  const rate = decisions / seconds;
  const per = runs.map((r) => {
    const lat = [...r.m.latenciesMs].sort((a, b) => a - b);
    const rr = r.m.decisions / r.m.seconds;
    const usPer = (r.m.daemonCores * 1e6) / rr;
    return (
      `${k(rr)}/s p50 ${percentile(lat, 0.5).toFixed(0)} p99 ${percentile(lat, 0.99).toFixed(0)} ms, daemon ` +
      `${r.m.daemonCores.toFixed(2)} cores = ${usPer.toFixed(1)} µs/decision (${r.threads}), clients ${r.m.clientCores.toFixed(2)} cores, ` +
      `${Math.round(r.bytesPerDecision)} B/decision on disk, ${r.stalls} LevelDB stall lines, 503s ${r.m.rejected}, ` +
      `rest of the machine ${r.others.toFixed(2)} cores (waited ${r.waited.toFixed(0)} s for quiet; load before ${r.load})`
    );
  });
  return {
    group: GROUP,
    name: `${v.id}: ${v.what}; POST /v1/decisions, batches of ${BATCH}, ${CONCURRENCY} clients`,
    ops: decisions,
    unit: 'decisions',
    opsPerSec: rate,
    notes: `${(rate / raw).toFixed(2)} of raw synced LevelDB in the same run; runs: ${per.join(' | ')}`,
  };
}

export async function run(): Promise<BenchResult[]> {
  const only = choiceListSetting(
    'GOVFED_BENCH_ABLATION_VARIANTS',
    VARIANTS.map((v) => v.id),
  );
  const variants = VARIANTS.filter((v) => (only === undefined ? !ON_REQUEST.has(v.id) : only.includes(v.id)));
  const entries = makeEntries(4096);
  const runs = new Map<string, Run[]>(variants.map((v) => [v.id, []]));
  const raws: { entries: number; seconds: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order each round, so that no variant always runs first or last.
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    await quiet();
    raws.push(await rawLimit(entries, BATCH));
    for (const v of order) {
      const r = await runVariant(v);
      (runs.get(v.id) as Run[]).push(r);
      console.error(
        `round ${round + 1} ${v.id}: ${k(r.m.decisions / r.m.seconds)}/s, daemon ${r.m.daemonCores.toFixed(2)} ` +
          `(${r.threads}), rest of machine ${r.others.toFixed(2)}, waited ${r.waited.toFixed(0)} s`,
      );
    }
  }
  await quiet();
  raws.push(await rawLimit(entries, BATCH));
  const raw = raws.reduce((a, r) => a + r.entries, 0) / raws.reduce((a, r) => a + r.seconds, 0);
  return [
    {
      group: GROUP,
      name: `raw LevelDB, synced batches of ${BATCH}, l/ + r/ only (bench/ingest-raw.bench.ts), one writer`,
      ops: raws.reduce((a, r) => a + r.entries, 0),
      unit: 'entries',
      opsPerSec: raw,
      notes: `slices: ${raws.map((r) => k(r.entries / r.seconds)).join(', ')}/s`,
    },
    ...variants.map((v) => variantResult(v, runs.get(v.id) as Run[], raw)),
  ];
}

await runAlone(import.meta, run);
