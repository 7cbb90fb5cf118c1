/**
 * Note signers, verifiers and their key strings (c2sp.org/signed-note "verifier keys", Go's
 * sumdb/note NewVerifier / NewSigner).
 *
 *     verifier key: <name>+<8 lowercase hex key ID>+base64(<signature type> || <public key>)
 *     signer key:   PRIVATE+KEY+<name>+<8 hex key ID of the public key>+base64(<type> || <32-byte seed>)
 *
 * Supported types: 0x01 Ed25519 (plain note signatures) and 0x04 cosignature/v1 (timestamped
 * Ed25519 checkpoint cosignatures). Parsing is strict: the key ID must match the key, the hex must be
 * lowercase, base64 canonical, Ed25519 public keys valid points (not small order). Go accepts
 * upper-case hex and non-canonical base64 padding bits; nothing we emit uses either.
 */
import { type Ed25519Sign, keyPairFromSeed, type VerifyOptions } from '../crypto/ed25519.ts';
import { assertBytes, concatBytes } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { cosignatureSigner, cosignatureVerifier } from './cosignature.ts';
import { assertKeyName, ed25519Signer, ed25519Verifier } from './ed25519.ts';
import {
  ALG_COSIGNATURE_V1,
  ALG_ED25519,
  formatSignerKey,
  keyHash,
  MAX_KEY_STRING_LENGTH,
  splitKeyFields,
} from './key-id.ts';
import type { KeyedVerifier, NoteSigner } from './keys.ts';

export { ed25519Signer, ed25519Verifier } from './ed25519.ts';
export { ALG_COSIGNATURE_V1, ALG_ED25519, keyHash } from './key-id.ts';
export type { KeyedVerifier, NoteSigner, NoteVerifier } from './keys.ts';

/** The Ed25519 (0x01) verifier key string for `publicKey` under `name`. */
export function ed25519VerifierKey(name: string, publicKey: Uint8Array): string {
  return ed25519Verifier(name, publicKey).vkey;
}

/** Go's signer key string `PRIVATE+KEY+name+hash+base64(0x01 || seed)`. Secret. */
export function ed25519SignerKey(name: string, seed: Uint8Array): string {
  assertKeyName(name);
  assertBytes(seed, 32, 'ed25519 seed');
  const { publicKey } = keyPairFromSeed(seed);
  const hash = keyHash(name, concatBytes(Uint8Array.of(ALG_ED25519), publicKey));
  return formatSignerKey(name, hash, concatBytes(Uint8Array.of(ALG_ED25519), seed));
}

/**
 * Parses a verifier key string (possibly from a peer: attacker-controlled). ERR_MALFORMED_VERIFIER_KEY.
 * The verifier checks signatures with `opts.verify` (default: the pure strict path).
 */
export function parseVerifierKey(vkey: string, opts: VerifyOptions = {}): KeyedVerifier {
  const bad = (why: string, cause?: unknown) =>
    new GovfedError('ERR_MALFORMED_VERIFIER_KEY', `verifier key: ${why}`, cause === undefined ? undefined : { cause });
  if (typeof vkey !== 'string' || vkey.length > MAX_KEY_STRING_LENGTH) throw bad('not a string of sane length');
  const f = splitKeyFields(vkey);
  if (f === undefined) throw bad('expected name+8-hex-key-ID+base64');
  if (f.hash !== keyHash(f.name, f.keyBytesWithAlg)) throw bad('key ID does not match the key');
  if (f.alg !== ALG_ED25519 && f.alg !== ALG_COSIGNATURE_V1) throw bad(`unsupported signature type ${f.alg}`);
  if (f.key.length !== 32) throw bad('Ed25519 public key must be 32 bytes');
  let verifier: KeyedVerifier;
  try {
    verifier = f.alg === ALG_ED25519 ? ed25519Verifier(f.name, f.key, opts) : cosignatureVerifier(f.name, f.key, opts);
  } catch (cause) {
    throw bad('invalid Ed25519 public key', cause);
  }
  return verifier;
}

/**
 * Parses a signer key string. Type 0x01 gives an Ed25519 note signer; type 0x04 a cosignature/v1
 * signer, which needs `options.now` (POSIX seconds) and signs with `options.sign` when given. The key ID
 * must match the derived public key.
 */
export function parseSignerKey(skey: string, options: { now?: () => number; sign?: Ed25519Sign } = {}): NoteSigner {
  const bad = (why: string) => new GovfedError('ERR_MALFORMED_SIGNER_KEY', `signer key: ${why}`);
  if (typeof skey !== 'string' || skey.length > MAX_KEY_STRING_LENGTH || !skey.startsWith('PRIVATE+KEY+')) {
    throw bad('expected PRIVATE+KEY+name+hash+base64');
  }
  const f = splitKeyFields(skey.slice('PRIVATE+KEY+'.length));
  if (f === undefined) throw bad('expected PRIVATE+KEY+name+8-hex-key-ID+base64');
  if (f.key.length !== 32) throw bad('Ed25519 seed must be 32 bytes');
  let signer: NoteSigner;
  if (f.alg === ALG_ED25519) {
    signer = ed25519Signer(f.name, f.key);
  } else if (f.alg === ALG_COSIGNATURE_V1) {
    if (options.now === undefined) throw bad('a cosignature/v1 signer needs a clock (options.now)');
    signer = cosignatureSigner(f.name, f.key, options.now, options.sign === undefined ? {} : { sign: options.sign });
  } else {
    throw bad(`unsupported signature type ${f.alg}`);
  }
  if (signer.keyHash !== f.hash) throw bad('key ID does not match the key');
  return signer;
}
