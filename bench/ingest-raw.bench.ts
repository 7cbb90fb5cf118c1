/**
 * Durable ingest below HTTP: the raw LevelDB limit, and how close AuditLog.append gets to it.
 *
 * (a) raw: one writer issuing synced LevelDB batches ({sync: true}, chained batch, the store options of
 *     node/log) of the same bytes our entries are — leaf + record of real decision records sealed by
 *     protocol/audit — with no Merkle tree: `l/<index>` and `r/<index>` only. Batches of 100 and 1,000.
 * (b) log: AuditLog.append called directly (no HTTP) by CLIENTS concurrent appenders, each appending
 *     batches of 100 or 1,000 of the same entries; group commit merges whatever is waiting into one
 *     synced batch that also carries the stored Merkle hashes and the size. An append counts when it
 *     resolves (durable). Reports entries/s, p50/p99 acknowledgement latency, and the rate as a
 *     fraction of (a) for the same batch size.
 * (a) and (b) alternate in ROUNDS short slices, each on a fresh LevelDB in os.tmpdir(), so that both see
 * the same machine load and the same LevelDB regime; the rates are totals over the slices. Then, on
 * the last log built: inclusion-proof latency from LevelDB, restart time, fsck rate.
 *
 * Environment: GOVFED_BENCH_RAW_SECONDS (per slice, default 2), GOVFED_BENCH_RAW_ROUNDS (default 3),
 * GOVFED_BENCH_RAW_CLIENTS (default 8).
 * Run alone: `npx node bench/ingest-raw.bench.ts`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLogDb } from '../node/log/db.ts';
import { type AppendItem, AuditLog } from '../node/log/index.ts';
import { hex16, LEAF_PREFIX, RECORD_PREFIX } from '../node/log/keys.ts';
import { sealDecision } from '../protocol/audit/index.ts';
import { ed25519Signer } from '../protocol/note/index.ts';
import { runAlone } from './alone.ts';
import { intSetting, numberSetting } from './settings.ts';
import { percentile } from './stats.ts';
import type { BenchResult } from './types.ts';

const SECONDS = numberSetting('GOVFED_BENCH_RAW_SECONDS', 2, 0.1);
const ROUNDS = intSetting('GOVFED_BENCH_RAW_ROUNDS', 3);
const CLIENTS = intSetting('GOVFED_BENCH_RAW_CLIENTS', 8);
const WARMUP_MS = 300;
const BATCH_SIZES = [100, 1000];
const GROUP = 'ingest-raw';
const ORIGIN = 'govfed/bench/00000000';
const PROOFS = 2000;

/** `n` distinct sealed decisions (real leaf and record bytes, ~250 and ~400 bytes). */
export function makeEntries(n: number): AppendItem[] {
  const out: AppendItem[] = [];
  const now = new Date('2025-06-01T12:00:00Z');
  for (let i = 0; i < n; i++) {
    const s = sealDecision(
      {
        model: 'credit-scorer-v2',
        decisionId: `bench-${i}`,
        timestamp: '2025-06-01T12:00:00Z',
        inputDigest: `sha256:${'0123456789abcdef'.repeat(4)}`,
        output: i % 3 === 0 ? 'deny' : 'approve',
        jurisdiction: 'DE',
        dataClasses: ['financial'],
        context: { branch: 'online', amount: 1000 + i },
      },
      { now, random: (k) => randomBytes(k) },
    );
    out.push({ leaf: s.leafBytes, record: s.recordBytes });
  }
  return out;
}

async function withDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'govfed-bench-'));
  try {
    return await f(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface Slice {
  entries: number;
  seconds: number;
}

/** (a) Synced batches of `batch` entries, one at a time, leaf + record only. */
export async function rawLimit(entries: readonly AppendItem[], batch: number): Promise<Slice> {
  return withDir(async (dir) => {
    const db = await openLogDb(dir);
    let index = 0;
    const writeOne = async () => {
      const b = db.batch();
      for (let i = 0; i < batch; i++, index++) {
        const e = entries[index % entries.length] as AppendItem;
        const k = hex16(index);
        b.put(LEAF_PREFIX + k, e.leaf);
        b.put(RECORD_PREFIX + k, e.record as Uint8Array);
      }
      await b.write({ sync: true });
    };
    const until = async (ms: number): Promise<Slice> => {
      const start = performance.now();
      let n = 0;
      while (performance.now() - start < ms) {
        await writeOne();
        n += batch;
      }
      return { entries: n, seconds: (performance.now() - start) / 1000 };
    };
    await until(WARMUP_MS);
    const slice = await until(SECONDS * 1000);
    await db.close();
    return slice;
  });
}

interface LogRun extends Slice {
  latencies: number[];
  batches: number;
  extras?: Extras;
}

interface Extras {
  size: number;
  proofP50Us: number;
  proofP99Us: number;
  restartMs: number;
  fsckPerSec: number;
  rssMb: number;
}

/** (b) CLIENTS concurrent appenders of `batch` entries each, through AuditLog.append. */
async function logRun(entries: readonly AppendItem[], batch: number, withExtras: boolean): Promise<LogRun> {
  return withDir(async (dir) => {
    const signer = ed25519Signer(ORIGIN, new Uint8Array(32).fill(1));
    let batches = 0;
    const log = new AuditLog({ dir, signer, origin: ORIGIN, onCommit: () => batches++ });
    await log.start();
    const drive = async (ms: number, latencies: number[] | undefined) => {
      const start = performance.now();
      let n = 0;
      const client = async (c: number) => {
        let at = c * batch;
        while (performance.now() - start < ms) {
          const items = Array.from({ length: batch }, () => entries[at++ % entries.length] as AppendItem);
          const t0 = performance.now();
          await log.append(items);
          latencies?.push(performance.now() - t0);
          n += batch;
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
      return { entries: n, seconds: (performance.now() - start) / 1000 };
    };
    await drive(WARMUP_MS, undefined);
    batches = 0;
    const latencies: number[] = [];
    const slice = await drive(SECONDS * 1000, latencies);
    const measured = { ...slice, latencies, batches };
    if (!withExtras) {
      await log.stop();
      return measured;
    }
    // Proofs straight from LevelDB at the size reached, for random leaves.
    const cp = await log.checkpointNow();
    const proofTimes: number[] = [];
    for (let i = 0; i < PROOFS; i++) {
      const index = Math.floor(Math.random() * cp.size);
      const t0 = performance.now();
      await log.proveInclusion(index, cp.size);
      proofTimes.push((performance.now() - t0) * 1000);
    }
    proofTimes.sort((a, b) => a - b);
    const rssMb = process.memoryUsage().rss / 2 ** 20;
    await log.stop();
    const t0 = performance.now();
    await log.start();
    const restartMs = performance.now() - t0;
    const f0 = performance.now();
    const report = await log.fsck();
    const fsckPerSec = report.size / ((performance.now() - f0) / 1000);
    if (!report.ok) throw new Error(`fsck failed after the bench: ${report.problems.join('; ')}`);
    await log.stop();
    const extras: Extras = {
      size: cp.size,
      proofP50Us: percentile(proofTimes, 0.5),
      proofP99Us: percentile(proofTimes, 0.99),
      restartMs,
      fsckPerSec,
      rssMb,
    };
    return { ...measured, extras };
  });
}

export async function run(): Promise<BenchResult[]> {
  const entries = makeEntries(20_000);
  const leafBytes = entries.reduce((a, e) => a + e.leaf.length, 0) / entries.length;
  const recordBytes = entries.reduce((a, e) => a + (e.record?.length ?? 0), 0) / entries.length;
  const sizes = `leaf ~${Math.round(leafBytes)} B + record ~${Math.round(recordBytes)} B per entry`;
  const ms = (v: number) => v.toFixed(1);
  const results: BenchResult[] = [];
  let extras: Extras | undefined;
  for (const batch of BATCH_SIZES) {
    const raw: Slice = { entries: 0, seconds: 0 };
    const ours: LogRun = { entries: 0, seconds: 0, latencies: [], batches: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const r = await rawLimit(entries, batch);
      raw.entries += r.entries;
      raw.seconds += r.seconds;
      const last = batch === BATCH_SIZES.at(-1) && round === ROUNDS - 1;
      const l = await logRun(entries, batch, last);
      ours.entries += l.entries;
      ours.seconds += l.seconds;
      ours.batches += l.batches;
      ours.latencies.push(...l.latencies);
      extras = l.extras ?? extras;
    }
    const rawRate = raw.entries / raw.seconds;
    const rate = ours.entries / ours.seconds;
    const lat = ours.latencies.sort((a, b) => a - b);
    results.push({
      group: GROUP,
      name: `raw LevelDB synced batches of ${batch}, no Merkle tree`,
      ops: raw.entries,
      unit: 'entries',
      opsPerSec: rawRate,
      notes: `one writer, chained batch {sync: true}, leaf + record keys only; ${sizes}; ${ROUNDS} x ${SECONDS} s slices`,
    });
    results.push({
      group: GROUP,
      name: `AuditLog.append, ${CLIENTS} appenders x batches of ${batch}`,
      ops: ours.entries,
      unit: 'entries',
      opsPerSec: rate,
      notes:
        `acknowledged-durable; ${(rate / rawRate).toFixed(2)} of raw LevelDB (batches of ${batch}, interleaved slices); ` +
        `ack latency p50 ${ms(percentile(lat, 0.5))} ms, p99 ${ms(percentile(lat, 0.99))} ms; ` +
        `${ours.batches} group commits (~${Math.round(ours.entries / Math.max(1, ours.batches))} entries each); ${sizes}`,
    });
  }
  if (extras !== undefined) {
    results.push({
      group: GROUP,
      name: `AuditLog.proveInclusion from LevelDB at ${extras.size.toLocaleString('en')} entries`,
      ops: PROOFS,
      unit: 'proofs',
      opsPerSec: 1e6 / extras.proofP50Us,
      notes:
        `p50 ${extras.proofP50Us.toFixed(0)} µs, p99 ${extras.proofP99Us.toFixed(0)} µs (random leaves, one getMany ` +
        `each); restart (open + Frontier.load + checkpoint check) ${ms(extras.restartMs)} ms; fsck ` +
        `${Math.round(extras.fsckPerSec).toLocaleString('en')} entries/s; RSS ${Math.round(extras.rssMb)} MiB`,
    });
  }
  return results;
}

await runAlone(import.meta, run);
