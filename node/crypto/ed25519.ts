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
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { type Ed25519Verify, strictVerifier, type VerifyEquation } from '../../protocol/crypto/ed25519.ts';

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
