/**
 * Signing DSSE envelopes with Ed25519.
 *
 * Each signer signs PAE(payloadType, payload) with its 32-byte seed (deterministic RFC 8032, so the
 * same inputs always give the same envelope). The keyid written next to each signature is only a
 * hint for verifiers; govfed's convention for it is keyIdOf(publicKey).
 */

import { assertPublicKey, type Ed25519Sign, sign } from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/sha256.ts';
import { assertBytes, toBase64, toHex } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { DEFAULT_MAX_SIGNATURES, type Envelope, MAX_KEYID_LENGTH } from './envelope.ts';
import { LONE_SURROGATE, pae } from './pae.ts';

export interface DsseSigner {
  /** Written as the signature's keyid hint; '' writes none. Usually keyIdOf(publicKey). */
  keyid: string;
  /** The signer's 32-byte Ed25519 seed. Secret. */
  seed: Uint8Array;
  /** Signs instead of @noble/ed25519 (the node: OpenSSL; RFC 8032 is deterministic, so the same bytes). */
  sign?: Ed25519Sign | undefined;
}

/**
 * govfed's key id: the lowercase hex SHA-256 of the 32-byte Ed25519 public key (64 characters).
 * It names a key without trusting it: verifiers still look the key up in their own trusted set.
 */
export function keyIdOf(publicKey: Uint8Array): string {
  assertPublicKey(publicKey);
  return toHex(sha256(publicKey));
}

/** An envelope carrying `payload` with one signature per signer, in the signers' order. */
export function signEnvelope(payloadType: string, payload: Uint8Array, signers: readonly DsseSigner[]): Envelope {
  if (typeof payloadType !== 'string' || payloadType.length === 0 || LONE_SURROGATE.test(payloadType)) {
    throw new GovfedError('ERR_INVALID_INPUT', 'payloadType: expected a non-empty, well-formed string');
  }
  assertBytes(payload, undefined, 'payload');
  if (!Array.isArray(signers) || signers.length === 0 || signers.length > DEFAULT_MAX_SIGNATURES) {
    throw new GovfedError('ERR_INVALID_INPUT', `signers: expected 1 to ${DEFAULT_MAX_SIGNATURES} signers`);
  }
  const message = pae(payloadType, payload);
  const signatures = signers.map((signer, i) => {
    if (typeof signer?.keyid !== 'string' || signer.keyid.length > MAX_KEYID_LENGTH) {
      throw new GovfedError(
        'ERR_INVALID_INPUT',
        `signers[${i}].keyid: expected a string of at most ${MAX_KEYID_LENGTH} characters`,
      );
    }
    const sig = toBase64((signer.sign ?? sign)(message, signer.seed));
    return signer.keyid === '' ? { sig } : { keyid: signer.keyid, sig };
  });
  return { payloadType, payload: toBase64(payload), signatures };
}
