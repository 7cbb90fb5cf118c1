/**
 * Ed25519 verification on OpenSSL (node:crypto) for the node: gossip envelopes, charter and policy
 * signatures, checkpoints and cosignatures, audit and witness bundles. protocol/crypto/ed25519.ts keeps
 * every strictness rule (S < L, canonical non-small-order A, R not of small order) and hands only the
 * cofactorless equation to OpenSSL, whose Ed25519 verify recomputes R = [S]B − [k]A and compares its
 * canonical encoding with R's bytes — so results are identical to the pure path (the protocol tests run
 * every verify vector through both) and about ten times faster.
 *
 * `opensslVerify` is built once here and injected (`{ verify: opensslVerify }`) wherever the node, the
 * CLI and the benches verify; protocol/ holds no switch.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import {
  type Ed25519Sign,
  type Ed25519Verify,
  strictVerifier,
  type VerifyEquation,
} from '../../protocol/crypto/ed25519.ts';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** A cache of OpenSSL key objects: each is a pure function of the key's bytes, so it cannot change a result. */
const keys = new Map<string, KeyObject>();
const MAX_KEYS = 4096;

function keyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString('hex');
  let k = keys.get(id);
  if (k === undefined) {
    k = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (keys.size >= MAX_KEYS) keys.clear();
    keys.set(id, k);
  }
  return k;
}

/** Equations checked on OpenSSL by this process (govfed_signature_verifications_total reads it). */
let checked = 0;

/** How many Ed25519 equations this process has checked on OpenSSL so far. */
export function verificationCount(): number {
  return checked;
}

/** The cofactorless equation on OpenSSL. */
export const opensslEquation: VerifyEquation = (signature, message, publicKey) => {
  checked += 1;
  try {
    return verify(null, message, keyObject(publicKey), signature);
  } catch {
    return false;
  }
};

/** Strict Ed25519 verification (protocol/'s rules) with OpenSSL's equation: the node's verifier. */
export const opensslVerify: Ed25519Verify = strictVerifier(opensslEquation);

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** Private key objects by seed; a handful per process (the witness key, after a rotation its successor). */
const privateKeys = new Map<string, KeyObject>();
const MAX_PRIVATE_KEYS = 16;

/**
 * Ed25519 signing on OpenSSL (the witness's cosignatures: one per checkpoint cosigned, ~20 times faster
 * than @noble/ed25519, which also re-derives the public key on every signature). RFC 8032 signatures
 * are deterministic: the bytes are protocol/'s `sign`'s (test/node/crypto/ed25519.test.ts).
 */
export const opensslSign: Ed25519Sign = (message, seed) => {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TypeError('ed25519 seed: expected 32 bytes');
  const id = Buffer.from(seed).toString('hex');
  let key = privateKeys.get(id);
  if (key === undefined) {
    key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    if (privateKeys.size >= MAX_PRIVATE_KEYS) privateKeys.clear();
    privateKeys.set(id, key);
  }
  return new Uint8Array(sign(null, message, key));
};
