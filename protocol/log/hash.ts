/**
 * RFC 6962 §2.1 / RFC 9162 §2.1.1 hashing, pinned here for the whole log.
 *
 * Leaves and interior nodes are domain-separated by a one-byte prefix, so a leaf can never be passed off
 * as a node (second-preimage resistance of the tree):
 *   leaf hash  = SHA-256(0x00 || entry)
 *   node hash  = SHA-256(0x01 || left || right)
 *   empty tree = SHA-256("")
 */
import { sha256 } from '../crypto/sha256.ts';
import { equalBytes } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';

export const HASH_SIZE = 32;

/** Root of the tree of size 0: SHA-256 of the empty string. Treat as read-only. */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

/** A private copy, so that a caller mutating EMPTY_ROOT cannot change what verifiers compare against. */
const EMPTY_ROOT_PINNED = EMPTY_ROOT.slice();

/** True when `h` is the empty-tree hash. */
export function isEmptyRoot(h: Uint8Array): boolean {
  return equalBytes(h, EMPTY_ROOT_PINNED);
}

/** A fresh copy of the empty-tree hash. */
export function emptyRoot(): Uint8Array {
  return EMPTY_ROOT_PINNED.slice();
}

/** Throws ERR_INVALID_HASH unless `h` is a Uint8Array of exactly 32 bytes. */
export function assertHash(h: unknown, what: string): asserts h is Uint8Array {
  if (!(h instanceof Uint8Array)) {
    throw new GovfedError('ERR_INVALID_HASH', `${what}: expected Uint8Array of length ${HASH_SIZE}`);
  }
  if (h.length !== HASH_SIZE) {
    throw new GovfedError(
      'ERR_INVALID_HASH',
      `${what}: expected Uint8Array of length ${HASH_SIZE}, got length=${h.length}`,
    );
  }
}

/** The RFC 6962 leaf hash of a log entry: SHA-256(0x00 || entry). */
export function leafHash(entry: Uint8Array): Uint8Array {
  if (!(entry instanceof Uint8Array)) throw new GovfedError('ERR_INVALID_INPUT', 'entry: expected Uint8Array');
  const buf = new Uint8Array(entry.length + 1);
  buf.set(entry, 1);
  return sha256(buf);
}

// Scratch input for nodeHash: hashing is synchronous, so one buffer serves every call.
const nodeInput = new Uint8Array(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;

/**
 * A function computing exactly nodeHash, for callers that may swap in a faster implementation of the
 * same bytes (the node uses OpenSSL through node:crypto; protocol/ stays pure and defaults to nodeHash).
 * It receives two 32-byte hashes and must return a fresh 32-byte array each call.
 */
export type NodeHasher = (left: Uint8Array, right: Uint8Array) => Uint8Array;

/** The RFC 6962 interior node hash: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  assertHash(left, 'left hash');
  assertHash(right, 'right hash');
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput);
}
