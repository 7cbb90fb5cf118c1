/**
 * Ed25519 verification on OpenSSL (node:crypto) for the node's hot paths: gossip envelopes, charter and
 * policy signatures, checkpoints and cosignatures. protocol/crypto/ed25519.ts keeps every strictness
 * rule (S < L, canonical non-small-order A, R not of small order) and hands only the cofactorless
 * equation to OpenSSL, whose Ed25519 verify recomputes R = [S]B − [k]A and compares its canonical
 * encoding with R's bytes — so results are identical to the pure path (the protocol tests run every
 * verify case both ways) and about ten times faster.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { setVerifyEquation, type VerifyEquation } from '../../protocol/crypto/ed25519.ts';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
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

/** The cofactorless equation on OpenSSL. */
export const opensslEquation: VerifyEquation = (signature, message, publicKey) => {
  try {
    return verify(null, message, keyObject(publicKey), signature);
  } catch {
    return false;
  }
};

/** Makes protocol/'s verify use OpenSSL for the equation in this process. */
export function useOpenSslVerification(): void {
  setVerifyEquation(opensslEquation);
}
