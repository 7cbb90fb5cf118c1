/**
 * Shared pieces of the protocol/log tests: the RFC 6962 reference written from the definition, a tree
 * grown once with the root of every size, the error-code helpers, and the loop over the shared
 * transparency-dev vectors (test/vectors/rfc6962/{inclusion,consistency}).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { fromBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import { leafHash, nodeHash } from '../../../protocol/log/hash.ts';
import { MemoryTree } from '../../../protocol/log/memory.ts';
import { vectorPath } from '../../helpers/paths.ts';

export const code = (c: string) => expect.objectContaining({ code: c });

/** The codes a verifier may reject a vector's bad proof with. */
export const LOG_CODES = [
  'ERR_INVALID_HASH',
  'ERR_INDEX_OUT_OF_RANGE',
  'ERR_INVALID_TREE_SIZE',
  'ERR_PROOF_SIZE',
  'ERR_ROOT_MISMATCH',
];

/** The GovfedError code `fn` throws, or undefined when it returns. Anything else is a test failure. */
export function rejection(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof GovfedError) return err.code;
    throw err;
  }
}

export function flipBit(h: Uint8Array, bit: number): Uint8Array {
  const c = h.slice();
  c[bit >> 3] = (c[bit >> 3] as number) ^ (1 << (bit & 7));
  return c;
}

// ---- references, written from the RFC text ----

/** The largest power of two below n (n >= 2): the split point k of RFC 6962 §2.1. */
export function largestPow2Below(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** RFC 6962 §2.1 MTH, written recursively straight from the definition (the empty tree: SHA-256 of ""). */
export function naiveMth(d: readonly Uint8Array[]): Uint8Array {
  if (d.length === 0) return sha256(new Uint8Array(0));
  if (d.length === 1) return d[0] as Uint8Array;
  const k = largestPow2Below(d.length);
  return nodeHash(naiveMth(d.slice(0, k)), naiveMth(d.slice(k)));
}

// ---- a tree built once per test file ----

/** A MemoryTree of `n` leaves `${label} ${i}`, with its leaf hashes and the root of every size 0..n. */
export function grownTree(n: number, label: string): { leaves: Uint8Array[]; tree: MemoryTree; roots: Uint8Array[] } {
  const leaves = Array.from({ length: n }, (_, i) => leafHash(utf8(`${label} ${i}`)));
  const tree = new MemoryTree();
  const roots = [tree.root()];
  for (const h of leaves) {
    tree.appendLeafHash(h);
    roots.push(tree.root());
  }
  return { leaves, tree, roots };
}

// ---- the shared vectors: a contract ----

const VECTORS = vectorPath('rfc6962');

/** The vector files of `kind` (`inclusion`, `consistency`), as `kind/…/name.json`, sorted. */
export function vectorFiles(kind: string): string[] {
  return readdirSync(path.join(VECTORS, kind), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => `${kind}/${f.split(path.sep).join('/')}`)
    .sort();
}

/** A vector file's JSON (untyped: each loader checks the fields it reads). */
export function readVector(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(VECTORS, file), 'utf8'));
}

/** A vector's proof: upstream writes an empty proof as null (Go's nil slice). */
export function vectorProof(proof: unknown): Uint8Array[] {
  return ((proof ?? []) as string[]).map(fromBase64);
}

/**
 * Inside a `describe`: one test that the vector files of `kind` are there (a happy path and more than
 * 50 files), then one test per file running `check(file)`.
 */
export function itChecksVectors(kind: string, check: (file: string) => void): void {
  const files = vectorFiles(kind);

  it('finds the vector files', () => {
    expect(files.filter((f) => f.endsWith('/happy-path.json')).length).toBeGreaterThan(0);
    expect(files.length).toBeGreaterThan(50);
  });

  for (const file of files) it(file, () => check(file));
}
