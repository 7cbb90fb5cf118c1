/**
 * Threshold verification of DSSE envelopes (protocol.md, "Multi-signature Verification").
 *
 * An envelope is accepted when signatures from at least `threshold` distinct trusted keys verify
 * over PAE(payloadType, payload) with strict Ed25519 (protocol/crypto/ed25519.ts). The checklist:
 *   1. threshold is an integer >= 1 and no larger than the trusted set  (ERR_INVALID_INPUT)
 *   2. trusted keys are valid, with unique keyids and unique keys       (ERR_INVALID_INPUT, ERR_INVALID_KEY)
 *   3. the envelope is well-formed                                      (ERR_MALFORMED_ENVELOPE)
 *   4. the payload type is the expected one, when one is given          (ERR_PAYLOAD_TYPE_MISMATCH)
 *   5. count the trusted keys with a verifying signature                (ERR_THRESHOLD_NOT_MET)
 *
 * The keyid on a signature is an unauthenticated hint: it only narrows which trusted key is tried. A
 * signature with a keyid is checked against the trusted key with that keyid alone; one without a
 * keyid against every trusted key not yet counted. A signature that verifies under no candidate is
 * skipped, not fatal (DSSE envelopes may carry signatures for other verifiers). Each trusted key
 * counts at most once however many signatures it made, and each signature counts for one key.
 *
 * Cost: at most one Ed25519 verification per (signature, trusted key) pair; bound the number of
 * signatures with parseEnvelope before calling this on untrusted input.
 */

import { assertPublicKey, type Ed25519Verify, type VerifyOptions, verify } from '../crypto/ed25519.ts';
import { toHex } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { type DecodedEnvelope, decodeEnvelope, type Envelope } from './envelope.ts';
import { pae } from './pae.ts';

export interface TrustedKey {
  keyid: string;
  /** 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
}

export interface VerifyEnvelopeOptions extends VerifyOptions {
  trustedKeys: readonly TrustedKey[];
  /** How many distinct trusted keys must have signed. */
  threshold: number;
  /** When set, the envelope's payloadType must equal it exactly. */
  payloadType?: string;
}

export interface VerifiedEnvelope {
  payloadType: string;
  payload: Uint8Array;
  /** Keyids of the distinct trusted keys whose signature verified, in trustedKeys order. */
  signedBy: string[];
}

/** Verifies `env` (attacker-controlled) against trusted keys and a threshold; returns what it proved. */
export function verifyEnvelope(env: Envelope, opts: VerifyEnvelopeOptions): VerifiedEnvelope {
  const threshold = checkThreshold(opts.threshold);
  const keys = checkTrustedKeys(opts.trustedKeys);
  if (threshold > keys.length) {
    throw new GovfedError('ERR_INVALID_INPUT', `threshold ${threshold} exceeds the ${keys.length} trusted keys`);
  }
  const decoded = decodeEnvelope(env);
  checkPayloadType(decoded.payloadType, opts.payloadType);
  const signedBy = trustedSigners(decoded, keys, opts.verify ?? verify);
  if (signedBy.length < threshold) {
    throw new GovfedError(
      'ERR_THRESHOLD_NOT_MET',
      `${signedBy.length} of ${threshold} required trusted signatures verified ` +
        `(${decoded.signatures.length} signatures, ${keys.length} trusted keys)`,
    );
  }
  return { payloadType: decoded.payloadType, payload: decoded.payload, signedBy };
}

function checkThreshold(threshold: unknown): number {
  if (typeof threshold !== 'number' || !Number.isSafeInteger(threshold) || threshold < 1) {
    throw new GovfedError('ERR_INVALID_INPUT', `threshold: expected an integer >= 1, got ${String(threshold)}`);
  }
  return threshold;
}

function checkTrustedKeys(trustedKeys: readonly TrustedKey[]): readonly TrustedKey[] {
  if (!Array.isArray(trustedKeys)) throw new GovfedError('ERR_INVALID_INPUT', 'trustedKeys: expected an array');
  const ids = new Set<string>();
  const keys = new Set<string>();
  trustedKeys.forEach((k, i) => {
    if (typeof k?.keyid !== 'string' || k.keyid.length === 0) {
      throw new GovfedError('ERR_INVALID_INPUT', `trustedKeys[${i}].keyid: expected a non-empty string`);
    }
    assertPublicKey(k.publicKey, `trustedKeys[${i}].publicKey`);
    if (ids.has(k.keyid)) {
      throw new GovfedError('ERR_INVALID_INPUT', `trustedKeys: duplicate keyid ${JSON.stringify(k.keyid)}`);
    }
    // The same key under two keyids would let one signature count twice.
    const hex = toHex(k.publicKey);
    if (keys.has(hex)) throw new GovfedError('ERR_INVALID_INPUT', `trustedKeys[${i}]: duplicate public key`);
    ids.add(k.keyid);
    keys.add(hex);
  });
  return trustedKeys;
}

function checkPayloadType(actual: string, expected: string | undefined): void {
  if (expected === undefined) return;
  if (actual !== expected) {
    throw new GovfedError(
      'ERR_PAYLOAD_TYPE_MISMATCH',
      `payloadType ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
    );
  }
}

/** Keyids of the distinct trusted keys with a verifying signature. Invalid signatures are skipped. */
function trustedSigners(env: DecodedEnvelope, keys: readonly TrustedKey[], check: Ed25519Verify): string[] {
  const message = pae(env.payloadType, env.payload);
  const byId = new Map(keys.map((k, i) => [k.keyid, i]));
  const all = keys.map((_, i) => i);
  const counted = new Set<number>();
  for (const s of env.signatures) {
    const hinted = s.keyid === undefined ? undefined : byId.get(s.keyid);
    const candidates = s.keyid === undefined ? all : hinted === undefined ? [] : [hinted];
    for (const i of candidates) {
      if (counted.has(i)) continue;
      if (check(s.sig, message, (keys[i] as TrustedKey).publicKey)) {
        counted.add(i);
        break;
      }
    }
  }
  return keys.filter((_, i) => counted.has(i)).map((k) => k.keyid);
}
