/**
 * Signature and hash primitives, single thread: Ed25519 sign/s and verify/s through
 * protocol/crypto/ed25519.ts (@noble/ed25519, pure JS, strict RFC 8032 verification) next to
 * node:crypto (OpenSSL) on the same keys, messages and signatures, in the same run; and SHA-256 of
 * 64-byte inputs with @noble/hashes (protocol/crypto/sha256.ts) next to node:crypto. The notes give
 * the ratio between the two implementations of each operation.
 *
 * protocol/ uses the pure-JS versions so that it runs anywhere and pins one verification rule; this
 * bench shows what that costs.
 *
 * Environment: GOVFED_BENCH_CRYPTO_MS (default 1000), the time spent measuring each implementation of
 * each operation (in 5 slices, alternating between the implementations compared).
 * Run alone: `npx node bench/crypto.bench.ts`.
 */
import * as nodeCrypto from 'node:crypto';
import { keyPairFromSeed, sign, verify } from '../protocol/crypto/ed25519.ts';
import { sha256 } from '../protocol/crypto/sha256.ts';
import { equalBytes } from '../protocol/encoding/bytes.ts';
import { runAlone } from './alone.ts';
import { intSetting } from './settings.ts';
import type { BenchResult } from './types.ts';

const MEASURE_MS = intSetting('GOVFED_BENCH_CRYPTO_MS', 1000);
const WARMUP_MS = Math.min(200, MEASURE_MS / 5);
const ROUNDS = 5;
const GROUP = 'crypto';
const MESSAGES = 64; // distinct messages per size, cycled
const SIZES = [
  { label: '64 B', bytes: 64 },
  { label: '1 KiB', bytes: 1024 },
];

interface Timing {
  ops: number;
  ms: number;
}

/** Calls op(i) for i = 0, 1, 2, ... until `ms` have passed (checked every `chunk` calls). */
function measure(op: (i: number) => void, ms: number, chunk = 16): Timing {
  let ops = 0;
  const t0 = performance.now();
  let now = t0;
  while (now - t0 < ms) {
    for (let k = 0; k < chunk; k++) op(ops++);
    now = performance.now();
  }
  return { ops, ms: now - t0 };
}

/**
 * Warm-up, then ROUNDS alternating measured slices of each op, summed: background load and clock
 * changes during the run fall on all the implementations compared alike.
 */
function benchAlternating(ops: readonly ((i: number) => void)[], chunk?: number): Timing[] {
  for (const op of ops) measure(op, WARMUP_MS, chunk);
  const totals = ops.map(() => ({ ops: 0, ms: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    ops.forEach((op, k) => {
      const t = measure(op, MEASURE_MS / ROUNDS, chunk);
      const total = totals[k] as Timing;
      total.ops += t.ops;
      total.ms += t.ms;
    });
  }
  return totals;
}

const rate = (t: Timing) => t.ops / (t.ms / 1000);

function ratioNote(ours: Timing, theirs: Timing): string {
  const r = rate(theirs) / rate(ours);
  return r >= 1
    ? `node:crypto is ${r.toFixed(1)}x faster than @noble`
    : `@noble is ${(1 / r).toFixed(1)}x faster than node:crypto`;
}

/** A pair of results for one operation: the protocol/ (noble) one and the node:crypto one. */
function pair(name: string, unit: string, detail: string, ours: Timing, theirs: Timing): BenchResult[] {
  const note = ratioNote(ours, theirs);
  return [
    {
      group: GROUP,
      name: `${name} — @noble (protocol/)`,
      ops: ours.ops,
      unit,
      opsPerSec: rate(ours),
      notes: `${detail}; ${note}`,
    },
    {
      group: GROUP,
      name: `${name} — node:crypto`,
      ops: theirs.ops,
      unit,
      opsPerSec: rate(theirs),
      notes: `${detail}; ${note}`,
    },
  ];
}

/** Deterministic message bytes (content does not affect the cost). */
function messages(size: number): Uint8Array[] {
  return Array.from({ length: MESSAGES }, (_, m) =>
    Uint8Array.from({ length: size }, (_, i) => (i * 31 + m * 7) & 255),
  );
}

function nodeKeys(seed: Uint8Array, publicKey: Uint8Array) {
  const privateKey = nodeCrypto.createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const pub = nodeCrypto.createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]),
    format: 'der',
    type: 'spki',
  });
  return { privateKey, publicKey: pub };
}

function ed25519Results(): BenchResult[] {
  const { seed, publicKey } = keyPairFromSeed(new Uint8Array(32).fill(0x42));
  const keys = nodeKeys(seed, publicKey);
  const out: BenchResult[] = [];
  for (const size of SIZES) {
    const msgs = messages(size.bytes);
    const at = (i: number) => msgs[i % MESSAGES] as Uint8Array;

    // Both sign deterministically (RFC 8032), so the signatures must be identical.
    const sigs = msgs.map((m) => sign(m, seed));
    msgs.forEach((m, i) => {
      if (!equalBytes(nodeCrypto.sign(null, m, keys.privateKey), sigs[i] as Uint8Array)) {
        throw new Error('node:crypto and @noble produced different Ed25519 signatures');
      }
    });
    const sigAt = (i: number) => sigs[i % MESSAGES] as Uint8Array;

    const [signOurs, signNode] = benchAlternating([
      (i) => sign(at(i), seed),
      (i) => nodeCrypto.sign(null, at(i), keys.privateKey),
    ]) as [Timing, Timing];
    out.push(...pair(`Ed25519 sign, ${size.label}`, 'signatures', `${size.label} messages`, signOurs, signNode));

    const check = (ok: boolean) => {
      if (!ok) throw new Error('a valid signature failed to verify');
    };
    const [verifyOurs, verifyNode] = benchAlternating([
      (i) => check(verify(sigAt(i), at(i), publicKey)),
      (i) => check(nodeCrypto.verify(null, at(i), keys.publicKey, sigAt(i))),
    ]) as [Timing, Timing];
    out.push(
      ...pair(
        `Ed25519 verify, ${size.label}`,
        'verifications',
        `${size.label} messages; protocol/ verifies strict RFC 8032, cofactorless (as Go and OpenSSL)`,
        verifyOurs,
        verifyNode,
      ),
    );
  }
  return out;
}

function sha256Results(): BenchResult[] {
  const inputs = messages(64);
  const at = (i: number) => inputs[i % MESSAGES] as Uint8Array;
  if (!equalBytes(sha256(at(0)), nodeCrypto.createHash('sha256').update(at(0)).digest())) {
    throw new Error('node:crypto and @noble/hashes disagree on SHA-256');
  }
  const [ours, node, oneShot] = benchAlternating(
    [
      (i) => sha256(at(i)),
      (i) => nodeCrypto.createHash('sha256').update(at(i)).digest(),
      (i) => nodeCrypto.hash('sha256', at(i), 'buffer'),
    ],
    256,
  ) as [Timing, Timing, Timing];
  return [
    ...pair('SHA-256, 64 B', 'hashes', '64-byte inputs; node:crypto via createHash().update().digest()', ours, node),
    {
      group: GROUP,
      name: 'SHA-256, 64 B — node:crypto hash() one-shot',
      ops: oneShot.ops,
      unit: 'hashes',
      opsPerSec: rate(oneShot),
      notes: `64-byte inputs; crypto.hash('sha256', data); ${ratioNote(ours, oneShot)}`,
    },
  ];
}

export async function run(): Promise<BenchResult[]> {
  return [...ed25519Results(), ...sha256Results()];
}

await runAlone(import.meta, run);
