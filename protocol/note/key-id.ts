/**
 * Signature types, key IDs and the text encoding of keys (c2sp.org/signed-note).
 *
 *     key ID = SHA-256(key name || 0x0A || signature type || public key)[:4]   (big-endian uint32)
 *     vkey   = <name>+<key ID as 8 lowercase hex digits>+base64(signature type || public key)
 *     skey   = PRIVATE+KEY+<name>+<key ID of the PUBLIC key>+base64(signature type || private key)
 *
 * The key ID binds a signature line to (name, signature type, public key): the same Ed25519 key used as
 * a plain note signer (type 0x01) and as a cosigner (type 0x04) has two different key IDs.
 */

import { sha256 } from '../crypto/sha256.ts';
import { concatBytes, fromBase64, toBase64, utf8 } from '../encoding/bytes.ts';
import { isValidKeyName } from './key-name.ts';

/** Ed25519 signatures over the note text (c2sp.org/signed-note). */
export const ALG_ED25519 = 0x01;
/** Timestamped Ed25519 checkpoint cosignatures (c2sp.org/tlog-cosignature, cosignature/v1). */
export const ALG_COSIGNATURE_V1 = 0x04;

/** Longest key string we parse (an ML-DSA-44 vkey is ~1.8k characters; ours are < 200). */
export const MAX_KEY_STRING_LENGTH = 8192;

/** The 32-bit key ID of `name` and `keyBytesWithAlg` (signature type byte || public key). */
export function keyHash(name: string, keyBytesWithAlg: Uint8Array): number {
  const digest = sha256(concatBytes(utf8(name), Uint8Array.of(0x0a), keyBytesWithAlg));
  return (
    (((digest[0] as number) << 24) |
      ((digest[1] as number) << 16) |
      ((digest[2] as number) << 8) |
      (digest[3] as number)) >>>
    0
  );
}

/** A key ID as 8 lowercase hex digits. */
export function formatKeyHash(hash: number): string {
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** `name+hash+base64(keyBytesWithAlg)`, with the hash computed over `keyBytesWithAlg`. */
export function formatVerifierKey(name: string, keyBytesWithAlg: Uint8Array): string {
  return `${name}+${formatKeyHash(keyHash(name, keyBytesWithAlg))}+${toBase64(keyBytesWithAlg)}`;
}

/** `PRIVATE+KEY+name+hash+base64(privateWithAlg)`; `hash` is the key ID of the public key. */
export function formatSignerKey(name: string, hash: number, privateWithAlg: Uint8Array): string {
  return `PRIVATE+KEY+${name}+${formatKeyHash(hash)}+${toBase64(privateWithAlg)}`;
}

/** The three fields of `name+hash+keydata`, checked for syntax only (not the hash value). */
export interface KeyFields {
  name: string;
  hash: number;
  /** Signature type byte. */
  alg: number;
  /** Key material after the signature type byte. */
  key: Uint8Array;
  /** The decoded keydata: alg || key. */
  keyBytesWithAlg: Uint8Array;
}

/**
 * Splits `name+hash+keydata` (attacker-controlled when keys come from peers). Strict: the name must be
 * a valid key name, the hash exactly 8 lowercase hex digits, keydata canonical standard base64 of at
 * least one byte. Returns undefined when any of that fails; callers choose the error code.
 */
export function splitKeyFields(s: string): KeyFields | undefined {
  const i1 = s.indexOf('+');
  const i2 = i1 < 0 ? -1 : s.indexOf('+', i1 + 1);
  if (i1 < 0 || i2 < 0) return undefined;
  const name = s.slice(0, i1);
  const hash16 = s.slice(i1 + 1, i2);
  const key64 = s.slice(i2 + 1); // base64 may itself contain '+'
  if (!isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(hash16)) return undefined;
  let keyBytesWithAlg: Uint8Array;
  try {
    keyBytesWithAlg = fromBase64(key64);
  } catch {
    return undefined;
  }
  if (keyBytesWithAlg.length === 0) return undefined;
  return {
    name,
    hash: Number.parseInt(hash16, 16),
    alg: keyBytesWithAlg[0] as number,
    key: keyBytesWithAlg.slice(1),
    keyBytesWithAlg,
  };
}
