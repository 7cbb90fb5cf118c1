/**
 * Ed25519 for govfed: the one place where signature semantics are pinned.
 *
 * Verification is **strict RFC 8032 / FIPS 186-5** (`zip215: false` in @noble/ed25519): non-canonical
 * encodings of R and A (y >= p) are rejected, small-order public keys are rejected, and S must be < L.
 *
 * Why strict and not ZIP-215: govfed counts signatures towards thresholds (charters, policy bundles,
 * cosignatures) and third parties re-verify them with other implementations — Go's crypto/ed25519
 * (used by the C2SP reference code), OpenSSL via Node's crypto, sigstore. Every signature that the
 * strict rules accept is accepted by those verifiers and by ZIP-215 ones too, so a threshold that one
 * govfed node counts as met is met for every verifier. ZIP-215 would accept signatures that strict
 * verifiers reject (non-canonical points, small-order keys), which would let nodes disagree.
 * Signing is deterministic (RFC 8032), so signatures over the same message are byte-identical.
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { assertBytes } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';

ed.hashes.sha512 = sha512;

/** The verification mode, stated once. */
export const VERIFY_OPTIONS = { zip215: false } as const;

export const PUBLIC_KEY_LENGTH = 32;
export const SEED_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;

export interface KeyPair {
  /** The 32-byte RFC 8032 private key (seed). Secret. */
  seed: Uint8Array;
  publicKey: Uint8Array;
}

/** A new key pair from a CSPRNG (globalThis.crypto.getRandomValues). */
export function generateKeyPair(): KeyPair {
  const seed = ed.utils.randomSecretKey();
  return { seed, publicKey: ed.getPublicKey(seed) };
}

/** The key pair for a given 32-byte seed. */
export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  assertBytes(seed, SEED_LENGTH, 'ed25519 seed');
  return { seed: Uint8Array.from(seed), publicKey: ed.getPublicKey(seed) };
}

export function sign(message: Uint8Array, seed: Uint8Array): Uint8Array {
  assertBytes(message, undefined, 'message');
  assertBytes(seed, SEED_LENGTH, 'ed25519 seed');
  return ed.sign(message, seed);
}

/**
 * Strict RFC 8032 verification. Returns false for any invalid signature, including malformed lengths
 * and points (attacker-controlled input never throws here).
 */
export function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) return false;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) return false;
  if (!(message instanceof Uint8Array)) return false;
  try {
    return ed.verify(signature, message, publicKey, VERIFY_OPTIONS);
  } catch {
    return false;
  }
}

/** Like verify, but throws ERR_BAD_SIGNATURE. */
export function assertSignature(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, what: string): void {
  if (!verify(signature, message, publicKey)) {
    throw new GovfedError('ERR_BAD_SIGNATURE', `${what}: signature does not verify`);
  }
}

/** Validates a 32-byte public key encoding (canonical point, not small order). */
export function assertPublicKey(publicKey: unknown, what = 'public key'): asserts publicKey is Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) {
    throw new GovfedError('ERR_INVALID_KEY', `${what}: expected 32-byte Ed25519 public key`);
  }
  try {
    const p = ed.Point.fromBytes(publicKey, false);
    if (p.isSmallOrder()) throw new Error('small order');
  } catch (cause) {
    throw new GovfedError('ERR_INVALID_KEY', `${what}: not a valid Ed25519 public key`, { cause });
  }
}
