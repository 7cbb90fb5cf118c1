/**
 * The node at scale: a log of ENTRIES (default 10,000,000) entries, built with the real AuditLog, then
 * served by the real daemon over HTTP.
 *
 *  1. Build: `govfed init` makes a temp home; an AuditLog on its data directory receives decision
 *     records sealed exactly as POST /v1/decisions seals them (protocol/audit sealDecision, the API's
 *     pooled CSPRNG), APPENDERS concurrent appenders each sealing and appending batches of BATCH. The
 *     rate counts sealing plus durable append (each append resolves after its synced group commit).
 *     Memory of this process (holding the log) after the build.
 *  2. Proof computation alone: AuditLog.proveInclusion at the latest checkpoint's size for random
 *     indexes (seeded PRNG), p50/p99; memory after the proof run.
 *  3. Restart: AuditLog stop() (flush, final checkpoint, close) and start() (open LevelDB, reload the
 *     Frontier from stored hashes, re-verify the last checkpoint), timed apart. Database size (du).
 *  4. HTTP: the real daemon (`govfed start`, a child process) on 127.0.0.1 on that home; one keep-alive
 *     client sends sequential GET /v1/log/proofs/inclusion?index=I&treeSize=<checkpoint size> for random
 *     indexes. Cold: the first COLD_PROOFS requests after the daemon starts, with the OS page cache of
 *     the database files dropped first when `dd iflag=nocache` can do it (LevelDB's block cache is empty
 *     in a fresh process either way). Warm: the next HTTP_PROOFS requests, other random indexes. Every
 *     reply is checked (leaf hash of the entry, proof against the checkpoint root) outside the timing.
 *     The daemon's RSS and heap come from its /metrics (prom-client process metrics).
 * Load averages are recorded at each phase: on a shared machine they say how quiet it was.
 *
 * Environment: GOVFED_SCALE_ENTRIES (default 10000000), GOVFED_SCALE_PROOFS (warm HTTP and direct
 * proofs, default 5000), GOVFED_SCALE_KEEP=1 keeps the built home (its path is printed) and
 * GOVFED_SCALE_HOME=<dir> reuses one instead of building (for iterating on the measurements).
 * Run alone: `npx node bench/scale.bench.ts` (several minutes at 10M; ~7 GB of temp disk).
 */
import { readFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { pooledRandom } from '../node/api/random.ts';
import { type LoadedHome, loadHome } from '../node/home/index.ts';
import { type AppendItem, AuditLog, type SignedCheckpoint } from '../node/log/index.ts';
import { sealDecision } from '../protocol/audit/index.ts';
import { fromBase64 } from '../protocol/encoding/bytes.ts';
import { verifyInclusion } from '../protocol/log/index.ts';
import { removeDir } from '../test/helpers/cli.ts';
import { DaemonProcess, initNode } from '../test/helpers/daemon.ts';
import { metricValue } from '../test/helpers/records.ts';
import { runAlone } from './alone.ts';
import { prng } from './prng.ts';
import { intSetting } from './settings.ts';
import { summary as stats } from './stats.ts';
import { diskBytes, dropPageCache, fmt, httpGet, loadavg, type Memory, memo, ownMemory, residentSplit } from './sys.ts';
import type { BenchResult } from './types.ts';

const ENTRIES = intSetting('GOVFED_SCALE_ENTRIES', 10_000_000);
const PROOFS = intSetting('GOVFED_SCALE_PROOFS', 5000);
const KEEP = process.env.GOVFED_SCALE_KEEP === '1';
const REUSE_HOME = process.env.GOVFED_SCALE_HOME;
const BATCH = 10_000;
const APPENDERS = 4;
const COLD_PROOFS = 1000;
const WARMUP = 200;
const GROUP = 'scale';

const say = (line: string) => process.stderr.write(`[scale] ${line}\n`);

// --- 1. build ---------------------------------------------------------------------------------

const MODELS = ['credit-scorer-v2', 'fraud-screen-v7', 'support-triage-v1', 'claims-router-v3'];
const OUTPUTS = ['approve', 'deny', 'refer', { score: 0.73, band: 'B' }];

/** `n` decisions numbered from `from`, sealed as the ingest route seals them. */
function sealBatch(from: number, n: number, random: (k: number) => Uint8Array): AppendItem[] {
  const now = new Date();
  const out = new Array<AppendItem>(n);
  for (let i = 0; i < n; i++) {
    const k = from + i;
    const s = sealDecision(
      {
        model: MODELS[k % MODELS.length],
        decisionId: `scale-${k}`,
        inputDigest: `sha256:${(k * 2654435761).toString(16).padStart(16, '0').repeat(4).slice(0, 64)}`,
        output: OUTPUTS[k % OUTPUTS.length],
        jurisdiction: 'DE',
        dataClasses: ['financial'],
        context: { branch: k % 2 === 0 ? 'online' : 'store', amount: 100 + (k % 9973) },
      },
      { now, random },
    );
    out[i] = { leaf: s.leafBytes, record: s.recordBytes };
  }
  return out;
}

interface Build {
  seconds: number;
  sealSeconds: number;
  batches: number;
  /** entries/s over each tenth of the build. */
  deciles: number[];
  leafBytes: number;
  recordBytes: number;
  memory: Memory;
  load: string;
}

async function build(log: AuditLog): Promise<Build> {
  const random = pooledRandom();
  let next = 0;
  let done = 0;
  let sealMs = 0;
  let leafBytes = 0;
  let recordBytes = 0;
  const deciles: number[] = [];
  const tenth = ENTRIES / 10;
  const start = performance.now();
  let lastMark = start;
  const appender = async () => {
    while (next < ENTRIES) {
      const from = next;
      const n = Math.min(BATCH, ENTRIES - from);
      next += n;
      const t0 = performance.now();
      const items = sealBatch(from, n, random);
      sealMs += performance.now() - t0;
      if (from === 0) {
        leafBytes = items.reduce((a, e) => a + e.leaf.length, 0) / n;
        recordBytes = items.reduce((a, e) => a + (e.record?.length ?? 0), 0) / n;
      }
      await log.append(items);
      done += n;
      // Rate over each tenth of the log, timed when the acknowledged count crosses its end.
      while (deciles.length < 10 && done >= Math.round((deciles.length + 1) * tenth)) {
        const now = performance.now();
        deciles.push((tenth / (now - lastMark)) * 1000);
        lastMark = now;
        say(`${fmt(done)} entries, ${fmt(deciles.at(-1) as number)}/s over the last tenth, load ${loadavg()}`);
      }
    }
  };
  await Promise.all(Array.from({ length: APPENDERS }, () => appender()));
  const seconds = (performance.now() - start) / 1000;
  return {
    seconds,
    sealSeconds: sealMs / 1000,
    batches: log.metrics().batchesTotal,
    deciles,
    leafBytes,
    recordBytes,
    memory: await ownMemory(),
    load: loadavg(),
  };
}

// --- 2. proofs without HTTP -------------------------------------------------------------------

interface Direct {
  timesUs: number[];
  memory: Memory;
  load: string;
}

async function directProofs(log: AuditLog, size: number): Promise<Direct> {
  const rnd = prng(1);
  const pick = () => Math.floor(rnd() * size);
  for (let i = 0; i < WARMUP; i++) await log.proveInclusion(pick(), size);
  const timesUs: number[] = [];
  for (let i = 0; i < PROOFS; i++) {
    const index = pick();
    const t0 = performance.now();
    await log.proveInclusion(index, size);
    timesUs.push((performance.now() - t0) * 1000);
  }
  return { timesUs, memory: await ownMemory(), load: loadavg() };
}

// --- 3. restart and size on disk --------------------------------------------------------------

// --- 4. proofs over HTTP ----------------------------------------------------------------------

interface InclusionReply {
  index: number;
  treeSize: number;
  leafHash: string;
  proof: string[];
}

interface Served {
  timesUs: number[];
  verified: number;
}

async function httpProofs(
  base: string,
  token: string,
  cp: SignedCheckpoint,
  rnd: () => number,
  count: number,
  agent: Agent,
): Promise<Served> {
  const timesUs: number[] = [];
  let verified = 0;
  for (let i = 0; i < count; i++) {
    const index = Math.floor(rnd() * cp.size);
    const url = new URL(`${base}/v1/log/proofs/inclusion?index=${index}&treeSize=${cp.size}`);
    const t0 = performance.now();
    const res = await httpGet(agent, url, token);
    timesUs.push((performance.now() - t0) * 1000);
    if (res.status !== 200) throw new Error(`inclusion proof ${index}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
    const r = JSON.parse(res.body) as InclusionReply;
    verifyInclusion(index, cp.size, fromBase64(r.leafHash), r.proof.map(fromBase64), cp.rootHash);
    verified++;
  }
  return { timesUs, verified };
}

async function daemonMemory(daemon: DaemonProcess, token: string): Promise<Memory> {
  const base = daemon.url;
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return {
    rss: metricValue(text, 'process_resident_memory_bytes') ?? Number.NaN,
    heapUsed: metricValue(text, 'nodejs_heap_size_used_bytes') ?? Number.NaN,
    heapTotal: metricValue(text, 'nodejs_heap_size_total_bytes') ?? Number.NaN,
    external: metricValue(text, 'nodejs_external_memory_bytes') ?? Number.NaN,
    split: daemon.child.pid === undefined ? undefined : await residentSplit(daemon.child.pid),
  };
}

/**
 * Resident memory of `pid` split as Linux reports it: anonymous (heap, malloc) and file-backed (LevelDB
 * mmaps its table files, so pages of the store a process has read count in its RSS but are page cache
 * the kernel can drop). Undefined where /proc is not there.
 */

// --- the run ----------------------------------------------------------------------------------

interface Home {
  home: LoadedHome;
  token: string;
  cleanup: () => Promise<void>;
}

async function prepareHome(): Promise<Home> {
  if (REUSE_HOME !== undefined) {
    const home = await loadHome(REUSE_HOME);
    const token = (await readFile(home.paths.adminToken, 'utf8')).trim();
    return { home, token, cleanup: async () => {} };
  }
  const node = await initNode('scale');
  const home = await loadHome(node.home);
  return {
    home,
    token: node.adminToken,
    cleanup: async () => {
      if (KEEP) say(`kept the home: GOVFED_SCALE_HOME=${node.home}`);
      else await removeDir(node.tmp);
    },
  };
}

export async function run(): Promise<BenchResult[]> {
  const { home, token, cleanup } = await prepareHome();
  const results: BenchResult[] = [];
  let daemon: DaemonProcess | undefined;
  const log = new AuditLog({ dir: home.paths.data, signer: home.signer, origin: home.config.origin });
  try {
    await log.start();
    const load0 = loadavg();
    let built: Build | undefined;
    if (REUSE_HOME === undefined) {
      say(`building ${fmt(ENTRIES)} entries (${APPENDERS} appenders x batches of ${fmt(BATCH)}), load ${load0}`);
      built = await build(log);
    }
    const cp = await log.checkpointNow();
    const size = cp.size;
    say(`checkpoint at ${fmt(size)}; proofs without HTTP`);
    const direct = await directProofs(log, size);

    say('restart');
    let t0 = performance.now();
    await log.stop();
    const stopMs = performance.now() - t0;
    t0 = performance.now();
    await log.start();
    const startMs = performance.now() - t0;
    if (log.size !== size || log.checkpoint().size !== size) throw new Error('restart lost entries');
    await log.stop();
    const bytes = await diskBytes(home.paths.data);

    say('daemon over HTTP');
    const dropped = await dropPageCache(home.paths.data);
    t0 = performance.now();
    daemon = await DaemonProcess.start(home.dir, { timeoutMs: 120_000 });
    const daemonStartMs = performance.now() - t0;
    const memStart = await daemonMemory(daemon, token);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const rnd = prng(2);
    const loadCold = loadavg();
    const cold = await httpProofs(daemon.url, token, cp, rnd, COLD_PROOFS, agent);
    const loadWarm0 = loadavg();
    const w0 = performance.now();
    const warm = await httpProofs(daemon.url, token, cp, rnd, PROOFS, agent);
    const warmSeconds = (performance.now() - w0) / 1000;
    const loadWarm1 = loadavg();
    const memAfter = await daemonMemory(daemon, token);
    agent.destroy();
    const exit = await daemon.stop('SIGTERM');
    daemon = undefined;
    if (exit.code !== 0) throw new Error(`daemon exited with ${exit.code ?? exit.signal}`);

    const n = fmt(size);
    const ms = (us: number) => (us / 1000).toFixed(2);
    if (built !== undefined) {
      const b = built;
      results.push({
        group: GROUP,
        name: `build: ${n} sealed decisions through AuditLog.append, ${APPENDERS} appenders x ${fmt(BATCH)}`,
        ops: size,
        unit: 'entries',
        opsPerSec: size / b.seconds,
        notes:
          `sealDecision + durable group commit, one process; ${b.seconds.toFixed(0)} s, sealing ` +
          `${Math.round((100 * b.sealSeconds) / b.seconds)}% of it (${fmt(size / b.sealSeconds)} seals/s alone); ` +
          `rate per tenth ${b.deciles.map((d) => fmt(d / 1000)).join('/')}k/s; ${fmt(b.batches)} group commits; ` +
          `leaf ~${Math.round(b.leafBytes)} B + record ~${Math.round(b.recordBytes)} B; LevelDB on disk ` +
          `${(bytes / 1e9).toFixed(2)} GB (${Math.round(bytes / size)} B/entry, du); this process after the build: ` +
          `${memo(b.memory)}; load ${load0} -> ${b.load}`,
      });
    }
    const w = stats(warm.timesUs);
    const c = stats(cold.timesUs);
    results.push({
      group: GROUP,
      name: `GET /v1/log/proofs/inclusion at ${n} entries, sequential, warm`,
      ops: warm.timesUs.length,
      unit: 'proofs',
      opsPerSec: warm.timesUs.length / warmSeconds,
      notes:
        `real daemon (child process), one keep-alive client on 127.0.0.1, random index, treeSize = checkpoint ` +
        `size; latency p50 ${ms(w.p50)} ms, p99 ${ms(w.p99)} ms, mean ${ms(w.mean)} ms; cold (first ` +
        `${fmt(COLD_PROOFS)} after start, ${dropped ? 'OS page cache of the DB dropped' : 'OS page cache warm'}) ` +
        `p50 ${ms(c.p50)} ms, p99 ${ms(c.p99)} ms; all ${fmt(cold.verified + warm.verified)} proofs verified ` +
        `against the checkpoint root; daemon start ${(daemonStartMs / 1000).toFixed(1)} s; daemon after start: ` +
        `${memo(memStart)}; after the proofs: ${memo(memAfter)}; load ${loadCold} / ${loadWarm0} -> ${loadWarm1}`,
    });
    const d = stats(direct.timesUs);
    results.push({
      group: GROUP,
      name: `AuditLog.proveInclusion at ${n} entries (no HTTP)`,
      ops: direct.timesUs.length,
      unit: 'proofs',
      opsPerSec: 1e6 / d.mean,
      notes:
        `random index, treeSize = checkpoint size, one LevelDB getMany each; p50 ${ms(d.p50)} ms, p99 ` +
        `${ms(d.p99)} ms; this process after the proofs: ${memo(direct.memory)}; load ${direct.load}`,
    });
    results.push({
      group: GROUP,
      name: `AuditLog restart at ${n} entries (stop + start)`,
      ops: 1,
      unit: 'restarts',
      opsPerSec: 1000 / (stopMs + startMs),
      notes:
        `stop (flush, final checkpoint, close LevelDB) ${stopMs.toFixed(0)} ms; start (open LevelDB, Frontier ` +
        `from stored hashes, re-verify the last checkpoint) ${startMs.toFixed(0)} ms`,
    });
    return results;
  } finally {
    await log.stop().catch(() => {});
    if (daemon !== undefined) await daemon.kill9();
    await cleanup();
  }
}

await runAlone(import.meta, run);
