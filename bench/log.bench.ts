/**
 * Transparency-log math (protocol/log), in memory, single thread: how fast leaves can be appended and
 * how fast proofs are made and checked at LEAVES (default 1,000,000) leaves. SHA-256 is @noble/hashes
 * (pure JS), which dominates every number here. Indexes and sizes are drawn from a fixed-seed PRNG, so
 * runs are comparable.
 *
 * Environment: GOVFED_BENCH_LOG_LEAVES (default 1000000), GOVFED_BENCH_LOG_PROOFS (default 5000).
 * Run alone: `npx node bench/log.bench.ts`.
 */
import {
  Frontier,
  leafHash,
  MemoryTree,
  proveConsistency,
  proveInclusion,
  storedHashIndex,
  treeHash,
  verifyConsistency,
  verifyInclusion,
} from '../protocol/log/index.ts';
import { runAlone } from './alone.ts';
import { prng } from './prng.ts';
import { intSetting } from './settings.ts';
import type { BenchResult } from './types.ts';

const LEAVES = intSetting('GOVFED_BENCH_LOG_LEAVES', 1_000_000);
const PROOFS = intSetting('GOVFED_BENCH_LOG_PROOFS', 5000);
const ENTRY_BYTES = 128;
const WARMUP = 200;
const GROUP = 'log';

function result(name: string, ops: number, unit: string, ms: number, notes: string): BenchResult {
  return { group: GROUP, name, ops, unit, opsPerSec: ops / (ms / 1000), notes };
}

/** Times `op` over `inputs` after a short warm-up on the first few; returns elapsed ms. */
async function timeEach<T>(inputs: readonly T[], op: (x: T) => unknown): Promise<number> {
  for (const x of inputs.slice(0, WARMUP)) await op(x);
  const t0 = performance.now();
  for (const x of inputs) await op(x);
  return performance.now() - t0;
}

function appendMemoryTree(): { tree: MemoryTree; ms: number } {
  const tree = new MemoryTree();
  const entry = new Uint8Array(ENTRY_BYTES).fill(0x5a);
  const view = new DataView(entry.buffer);
  const t0 = performance.now();
  for (let i = 0; i < LEAVES; i++) {
    view.setUint32(0, i); // a distinct entry per leaf; append() hashes it and keeps nothing of it
    tree.append(entry);
  }
  return { tree, ms: performance.now() - t0 };
}

function appendFrontier(): number {
  // A pool of distinct leaf hashes: hashing cost does not depend on content.
  const pool = Array.from({ length: 1024 }, (_, i) => leafHash(new Uint8Array([i & 255, i >> 8])));
  const frontier = Frontier.empty();
  const t0 = performance.now();
  for (let i = 0; i < LEAVES; i++) frontier.append(pool[i & 1023] as Uint8Array);
  frontier.root();
  return performance.now() - t0;
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const size = LEAVES.toLocaleString('en');

  const { tree, ms: appendMs } = appendMemoryTree();
  results.push(
    result(
      'MemoryTree.append (leaf hashing included)',
      LEAVES,
      'leaves',
      appendMs,
      `${ENTRY_BYTES}-byte entries, ${size} leaves`,
    ),
  );
  results.push(
    result('Frontier.append (leaf hash given)', LEAVES, 'leaves', appendFrontier(), `${size} leaves, no storage`),
  );

  const rand = prng(6962);
  const root = tree.root();

  // Inclusion: random leaves of the full tree.
  const indexes = Array.from({ length: PROOFS }, () => Math.floor(rand() * LEAVES));
  const leafHashes = tree.readHashes(indexes.map((i) => storedHashIndex(0, i)));
  const proofs: Uint8Array[][] = [];
  const proveMs = await timeEach(indexes, async (i) => proofs.push(await proveInclusion(i, LEAVES, tree)));
  proofs.splice(0, Math.min(WARMUP, PROOFS)); // the warm-up's proofs (the first few inputs, proved twice)
  const avgLen = proofs.reduce((n, p) => n + p.length, 0) / proofs.length;
  results.push(
    result(
      'proveInclusion',
      PROOFS,
      'proofs',
      proveMs,
      `tree of ${size}, random leaves, MemoryTree reader, ~${avgLen.toFixed(1)} hashes/proof`,
    ),
  );
  const inclusionCases = indexes.map((index, k) => ({
    index,
    leaf: leafHashes[k] as Uint8Array,
    proof: proofs[k] as Uint8Array[],
  }));
  const verifyMs = await timeEach(inclusionCases, (c) => verifyInclusion(c.index, LEAVES, c.leaf, c.proof, root));
  results.push(result('verifyInclusion', PROOFS, 'verifications', verifyMs, `tree of ${size}, random leaves`));

  // Consistency: random earlier sizes to the full tree.
  const froms = Array.from({ length: PROOFS }, () => 1 + Math.floor(rand() * (LEAVES - 1)));
  const oldRoots: Uint8Array[] = [];
  for (const from of froms) oldRoots.push(await treeHash(from, tree));
  const cproofs: Uint8Array[][] = [];
  const cproveMs = await timeEach(froms, async (from) => cproofs.push(await proveConsistency(from, LEAVES, tree)));
  cproofs.splice(0, Math.min(WARMUP, PROOFS));
  const cavgLen = cproofs.reduce((n, p) => n + p.length, 0) / cproofs.length;
  results.push(
    result(
      'proveConsistency',
      PROOFS,
      'proofs',
      cproveMs,
      `random size -> ${size}, MemoryTree reader, ~${cavgLen.toFixed(1)} hashes/proof`,
    ),
  );
  const consistencyCases = froms.map((from, k) => ({
    from,
    root1: oldRoots[k] as Uint8Array,
    proof: cproofs[k] as Uint8Array[],
  }));
  const cverifyMs = await timeEach(consistencyCases, (c) => verifyConsistency(c.from, LEAVES, c.proof, c.root1, root));
  results.push(result('verifyConsistency', PROOFS, 'verifications', cverifyMs, `random size -> ${size}`));

  return results;
}

await runAlone(import.meta, run);
