/**
 * Durable ingest over HTTP, end to end: a real daemon (child process, temp home, LevelDB on the temp
 * disk) and CONCURRENCY keep-alive HTTP clients (node's fetch, i.e. undici) posting batches of 100 and
 * of 1,000 decision records for ~DURATION each. A decision counts once its 200 response has arrived,
 * i.e. once it is durable (the node replies only after its group-commit batch is synced). Reports
 * acknowledged decisions/s, p50/p99 acknowledgement latency per request, 503 backpressure replies, and
 * the checkpoint lag scraped from /metrics (govfed_checkpoint_lag_seconds) during the run.
 *
 * Environment: GOVFED_BENCH_SECONDS (default 10), GOVFED_BENCH_CLIENTS (default 8).
 * Run alone: `npx node bench/ingest-http.bench.ts`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultIngestWorkers } from '../node/home/config.ts';
import { removeDir, runCliJson } from '../test/helpers/cli.ts';
import { DaemonProcess, initNode } from '../test/helpers/daemon.ts';
import { makeRecords, metricValue } from '../test/helpers/records.ts';
import { runAlone } from './alone.ts';
import { intSetting, numberSetting } from './settings.ts';
import { percentile } from './stats.ts';
import type { BenchResult } from './types.ts';

const DURATION_MS = numberSetting('GOVFED_BENCH_SECONDS', 10, 0.1) * 1000;
export const WARMUP_MS = 1000;
export const CONCURRENCY = intSetting('GOVFED_BENCH_CLIENTS', 8);
const BATCH_SIZES = [100, 1000];
const SCRAPE_MS = 200;

export interface Measurement {
  decisions: number;
  requests: number;
  rejected: number;
  failed: number;
  seconds: number;
  latenciesMs: number[];
  lagSeconds: number[];
  /** CPU seconds per wall second used by the daemon (its process_cpu_seconds_total) and by the clients. */
  daemonCores: number;
  clientCores: number;
}

async function daemonCpuSeconds(url: string, token: string): Promise<number> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  return metricValue(await res.text(), 'process_cpu_seconds_total') ?? Number.NaN;
}

/**
 * CONCURRENCY clients posting `batch` records per request until `ms` have passed; the records name
 * `model` when given (default: the test records' plain model string). With several URLs (processes of
 * one org, bench/ha-ingest.bench.ts), client c posts to urls[c mod n]; the daemon CPU is their sum.
 */
export async function drive(
  url: string | readonly string[],
  token: string,
  batch: number,
  ms: number,
  record: boolean,
  model?: string,
): Promise<Measurement> {
  const m: Measurement = {
    decisions: 0,
    requests: 0,
    rejected: 0,
    failed: 0,
    seconds: 0,
    latenciesMs: [],
    lagSeconds: [],
    daemonCores: Number.NaN,
    clientCores: Number.NaN,
  };
  // One prepared body per client: the node assigns nonces and indices, so identical bodies are fine,
  // and the clients spend their CPU on HTTP rather than on JSON.stringify.
  const bodies = Array.from({ length: CONCURRENCY }, (_, c) =>
    JSON.stringify(makeRecords(batch, `bench-c${c}`).map((r) => (model === undefined ? r : { ...r, model }))),
  );
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const urls = typeof url === 'string' ? [url] : url;
  const daemonsCpu = async () =>
    (await Promise.all(urls.map((u) => daemonCpuSeconds(u, token)))).reduce((a, b) => a + b);
  const cpu0 = await daemonsCpu();
  const client0 = process.cpuUsage();
  const start = performance.now();
  const end = start + ms;
  const client = async (c: number) => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${urls[c % urls.length]}/v1/decisions`, {
          method: 'POST',
          headers,
          body: bodies[c] as string,
        });
        const text = await res.text();
        if (res.status === 200) {
          const n = (JSON.parse(text) as { entries: unknown[] }).entries.length;
          if (n !== batch) throw new Error(`acknowledged ${n} of ${batch}`);
          m.decisions += n;
          m.requests++;
          if (record) m.latenciesMs.push(performance.now() - t0);
        } else if (res.status === 503) {
          m.rejected++;
          await new Promise((r) => setTimeout(r, 20));
        } else {
          throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
        }
      } catch (err) {
        m.failed++;
        if (m.failed > 10) throw err;
      }
    }
  };
  let scraping = record;
  const scraper = async () => {
    while (scraping) {
      try {
        const res = await fetch(`${urls[0]}/metrics`, { headers: { authorization: `Bearer ${token}` } });
        const lag = metricValue(await res.text(), 'govfed_checkpoint_lag_seconds');
        if (lag !== undefined && Number.isFinite(lag)) m.lagSeconds.push(lag);
      } catch {
        // keep scraping
      }
      await new Promise((r) => setTimeout(r, SCRAPE_MS));
    }
  };
  const scraping$ = scraper();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, c) => client(c)));
  m.seconds = (performance.now() - start) / 1000;
  const client1 = process.cpuUsage(client0);
  m.daemonCores = ((await daemonsCpu()) - cpu0) / m.seconds;
  m.clientCores = (client1.user + client1.system) / 1e6 / m.seconds;
  scraping = false;
  await scraping$;
  return m;
}

function result(batch: number, m: Measurement, setting: string): BenchResult {
  const lat = [...m.latenciesMs].sort((a, b) => a - b);
  const lag = [...m.lagSeconds].sort((a, b) => a - b);
  const ms = (v: number) => v.toFixed(1);
  return {
    group: 'ingest-http',
    name: `POST /v1/decisions, batches of ${batch}, ${CONCURRENCY} clients, ${setting}`,
    ops: m.decisions,
    unit: 'decisions',
    opsPerSec: m.decisions / m.seconds,
    notes:
      `acknowledged-durable; ack latency p50 ${ms(percentile(lat, 0.5))} ms, p99 ${ms(percentile(lat, 0.99))} ms ` +
      `over ${m.requests} requests in ${m.seconds.toFixed(1)} s; 503 backpressure ${m.rejected}; ` +
      `checkpoint lag p50 ${percentile(lag, 0.5).toFixed(2)} s, max ${(lag.at(-1) ?? Number.NaN).toFixed(2)} s; ` +
      `CPU: daemon ${m.daemonCores.toFixed(2)} cores, clients ${m.clientCores.toFixed(2)} cores`,
  };
}

/** CPU seconds of each of the daemon's threads by kind (main, ingest workers, libuv pool incl. LevelDB, V8 helpers). */
export function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      out.set(tid, (Number(f[11]) + Number(f[12])) / 100);
      out.set(`kind:${tid}`, KINDS.indexOf(comm) >= 0 ? KINDS.indexOf(comm) : KINDS.length);
    } catch {
      // the thread ended
    }
  }
  return out;
}
const KINDS = ['MainThread', 'WorkerThread', 'libuv-worker', 'V8Worker'];
const KIND_NAMES = ['main', 'ingest workers', 'libuv pool (LevelDB writes, compaction)', 'V8 helpers (GC)', 'other'];

/** Cores used per thread kind between two threadCpu readings `seconds` apart. */
export function coresByKind(a: Map<string, number>, b: Map<string, number>, seconds: number): string {
  const cores = new Array<number>(KIND_NAMES.length).fill(0);
  for (const [tid, cpu] of b) {
    if (tid.startsWith('kind:')) continue;
    const kind = b.get(`kind:${tid}`) as number;
    cores[kind] = (cores[kind] as number) + (cpu - (a.get(tid) ?? 0)) / seconds;
  }
  return cores
    .map((c, i) => `${KIND_NAMES[i]} ${c.toFixed(2)}`)
    .filter((_, i) => (cores[i] as number) >= 0.005)
    .join(', ');
}

/** The ingest worker settings compared in one run: on the main thread, and the default (one per core). */
const WORKER_SETTINGS: { workers: number | undefined; label: string }[] = [
  { workers: 0, label: 'sealing on the main thread (ingestWorkers 0)' },
  { workers: undefined, label: `ingest workers (default: ${defaultIngestWorkers()})` },
];

export async function run(): Promise<BenchResult[]> {
  const node = await initNode('bench');
  let daemon: DaemonProcess | undefined;
  try {
    const { token } = await runCliJson<{ token: string }>(['token', 'create', '--home', node.home, '--role', 'ingest']);
    const configFile = join(node.home, 'config.json');
    const results: BenchResult[] = [];
    for (const setting of WORKER_SETTINGS) {
      const config = JSON.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
      if (setting.workers === undefined) delete config.ingestWorkers;
      else config.ingestWorkers = setting.workers;
      await writeFile(configFile, JSON.stringify(config, null, 2));
      daemon = await DaemonProcess.start(node.home);
      for (const batch of BATCH_SIZES) {
        await drive(daemon.url, token, batch, WARMUP_MS, false);
        const before = threadCpu(daemon.child.pid as number);
        const m = await drive(daemon.url, token, batch, DURATION_MS, true);
        const r = result(batch, m, setting.label);
        r.notes += `; threads: ${coresByKind(before, threadCpu(daemon.child.pid as number), m.seconds)}`;
        results.push(r);
      }
      const exit = await daemon.stop('SIGTERM');
      daemon = undefined;
      if (exit.code !== 0) throw new Error(`daemon exited with ${exit.code ?? exit.signal}`);
    }
    return results;
  } finally {
    if (daemon !== undefined) await daemon.kill9();
    await removeDir(node.tmp);
  }
}

await runAlone(import.meta, run);
