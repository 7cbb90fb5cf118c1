/**
 * Witness and log keys of federation members, as C2SP verifier key strings (c2sp.org/signed-note).
 *
 *   witness key  govfed/<org>/witness+<key ID>+base64(0x04 || Ed25519 public key)   cosignature/v1
 *   log key      <origin>+<key ID>+base64(0x01 || Ed25519 public key)               the log's checkpoints
 *
 * The witness key signs nothing but cosignatures, and a cosignature/v1 message does not commit to the
 * cosigner's name, so a witness key must never be reused for anything else (tlog-cosignature). Keys in
 * a charter or a bundle are attacker-controlled until parsed here: the parse is strict and the
 * signature type is checked.
 */
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { GovfedError } from '../errors.ts';
import {
  ALG_COSIGNATURE_V1,
  ALG_ED25519,
  type CosignatureSigner,
  cosignatureSigner,
  cosignatureSignerKey,
  cosignatureVerifierKey,
  type KeyedVerifier,
  parseVerifierKey,
} from '../note/index.ts';

/** The cosigner name of an org's witness: `govfed/<org>/witness`. */
export function witnessName(org: string): string {
  return `govfed/${org}/witness`;
}

/** A cosignature/v1 signer for `org`'s witness; `now` gives POSIX seconds (it stamps each cosignature). */
export function witnessSigner(org: string, seed: Uint8Array, now: () => number): CosignatureSigner {
  return cosignatureSigner(witnessName(org), seed, now);
}

/** `PRIVATE+KEY+govfed/<org>/witness+<key ID>+base64(0x04 || seed)`: the witness's secret key string. */
export function witnessSignerKey(org: string, seed: Uint8Array): string {
  return cosignatureSignerKey(witnessName(org), seed);
}

/** The witness's verifier key string (what the charter lists as the member's `witnessKey`). */
export function witnessVerifierKey(org: string, publicKey: Uint8Array): string {
  return cosignatureVerifierKey(witnessName(org), publicKey);
}

/**
 * Parses a witness verifier key (attacker-controlled): any name, signature type 0x04 (cosignature/v1).
 * Throws ERR_MALFORMED_VERIFIER_KEY. The verifier checks with `opts.verify`.
 */
export function parseWitnessKey(vkey: string, opts: VerifyOptions = {}): KeyedVerifier {
  const v = parseVerifierKey(vkey, opts);
  if (v.alg !== ALG_COSIGNATURE_V1) {
    throw new GovfedError('ERR_MALFORMED_VERIFIER_KEY', `witness key ${v.name} is not a cosignature/v1 (0x04) key`);
  }
  return v;
}

/**
 * Parses a log verifier key (attacker-controlled): signature type 0x01 (Ed25519); its name is the
 * log's origin. Throws ERR_MALFORMED_VERIFIER_KEY. The verifier checks with `opts.verify`.
 */
export function parseLogKey(vkey: string, opts: VerifyOptions = {}): KeyedVerifier {
  const v = parseVerifierKey(vkey, opts);
  if (v.alg !== ALG_ED25519) {
    throw new GovfedError('ERR_MALFORMED_VERIFIER_KEY', `log key ${v.name} is not an Ed25519 (0x01) key`);
  }
  return v;
}
