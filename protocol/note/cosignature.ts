/**
 * Ed25519 checkpoint cosignatures, cosignature/v1 (c2sp.org/tlog-cosignature), signature type 0x04.
 *
 * A cosignature is an ordinary note signature line on a checkpoint:
 *
 *     key ID    = SHA-256(<name> || 0x0A || 0x04 || 32-byte Ed25519 public key)[:4]
 *     signature = u64 timestamp (big-endian, POSIX seconds) || 64-byte Ed25519 signature
 *     message   = "cosignature/v1\n" || "time " <timestamp in decimal, no leading zeros> "\n"
 *                 || the whole checkpoint note text (with its final "\n", without signature lines)
 *
 * It states that, at that time, this was the largest consistent tree the cosigner had seen for the
 * origin's log. The message does not commit to the cosigner's name, so one Ed25519 key must serve one
 * cosigner only. We only sign and accept checkpoint texts that parseCheckpoint accepts, and only
 * timestamps that are safe JavaScript integers (< 2^53, well inside the spec's 2^63 - 1).
 */
import {
  assertPublicKey,
  type Ed25519Sign,
  keyPairFromSeed,
  sign,
  type VerifyOptions,
  verify,
} from '../crypto/ed25519.ts';
import { assertBytes, concatBytes, utf8 } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { parseCheckpoint } from './checkpoint.ts';
import { assertKeyName } from './ed25519.ts';
import { ALG_COSIGNATURE_V1, formatSignerKey, formatVerifierKey, keyHash } from './key-id.ts';
import type { KeyedVerifier, NoteSigner, NoteVerifier } from './keys.ts';
import type { NoteSignature } from './note.ts';

export { formatSignatureLine } from './note.ts';

/** Bytes of a cosignature/v1 signature: 8-byte timestamp || 64-byte Ed25519 signature. */
export const COSIGNATURE_V1_LENGTH = 72;

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function assertTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new GovfedError('ERR_INVALID_INPUT', 'cosignature timestamp must be a non-negative safe integer (seconds)');
  }
}

/** The message a cosigner signs for `checkpointText` at `timestamp`. */
export function cosignatureMessage(checkpointText: string, timestamp: number): Uint8Array {
  assertTimestamp(timestamp);
  return utf8(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`);
}

/** Reads the timestamp of a cosignature/v1 signature; undefined when malformed or >= 2^53. */
function readTimestamp(signature: Uint8Array): number | undefined {
  if (!(signature instanceof Uint8Array) || signature.length !== COSIGNATURE_V1_LENGTH) return undefined;
  const t = new DataView(signature.buffer, signature.byteOffset, 8).getBigUint64(0);
  return t > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(t);
}

/** True when `message` (note text bytes) is a checkpoint we would cosign. */
function isCheckpointText(message: Uint8Array): boolean {
  try {
    parseCheckpoint(decoder.decode(message));
    return true;
  } catch {
    return false;
  }
}

/** A note verifier for cosignature/v1 signatures by `publicKey` under the cosigner's `name`, checking with `opts.verify`. */
export function cosignatureVerifier(name: string, publicKey: Uint8Array, opts: VerifyOptions = {}): KeyedVerifier {
  const check = opts.verify ?? verify;
  assertKeyName(name);
  assertPublicKey(publicKey, 'cosigner public key');
  const pub = Uint8Array.from(publicKey);
  const keyBytesWithAlg = concatBytes(Uint8Array.of(ALG_COSIGNATURE_V1), pub);
  return {
    name,
    keyHash: keyHash(name, keyBytesWithAlg),
    alg: ALG_COSIGNATURE_V1,
    publicKey: Uint8Array.from(pub),
    vkey: formatVerifierKey(name, keyBytesWithAlg),
    verify(message, signature) {
      const timestamp = readTimestamp(signature);
      if (timestamp === undefined || !(message instanceof Uint8Array) || !isCheckpointText(message)) return false;
      const signed = concatBytes(utf8(`cosignature/v1\ntime ${timestamp}\n`), message);
      return check(signature.subarray(8), signed, pub);
    },
  };
}

/** The cosignature/v1 verifier key: name+hash+base64(0x04 || publicKey). */
export function cosignatureVerifierKey(name: string, publicKey: Uint8Array): string {
  return cosignatureVerifier(name, publicKey).vkey;
}

export interface CosignatureSigner extends NoteSigner {
  readonly publicKey: Uint8Array;
  /** The timestamp of the last signature made (0 before the first). */
  readonly lastTimestamp: number;
}

/**
 * A note signer that cosigns checkpoint texts per cosignature/v1, stamping each signature with
 * floor(now()) (POSIX seconds). Refuses (ERR_MALFORMED_CHECKPOINT) to sign text that is not a checkpoint.
 * `opts.sign` signs instead of @noble/ed25519 (the node's witness: OpenSSL; same bytes, deterministic).
 */
export function cosignatureSigner(
  name: string,
  seed: Uint8Array,
  now: () => number,
  opts: { sign?: Ed25519Sign } = {},
): CosignatureSigner {
  const signWith = opts.sign ?? sign;
  assertKeyName(name);
  assertBytes(seed, 32, 'cosigner seed');
  const { seed: ownSeed, publicKey } = keyPairFromSeed(seed);
  let lastTimestamp = 0;
  return {
    name,
    keyHash: keyHash(name, concatBytes(Uint8Array.of(ALG_COSIGNATURE_V1), publicKey)),
    publicKey,
    get lastTimestamp() {
      return lastTimestamp;
    },
    sign(message) {
      const text = decodeCheckpointText(message);
      const timestamp = Math.floor(now());
      const signature = signWith(cosignatureMessage(text, timestamp), ownSeed);
      const out = new Uint8Array(COSIGNATURE_V1_LENGTH);
      new DataView(out.buffer).setBigUint64(0, BigInt(timestamp));
      out.set(signature, 8);
      lastTimestamp = timestamp;
      return out;
    },
  };
}

function decodeCheckpointText(message: Uint8Array): string {
  assertBytes(message, undefined, 'checkpoint text');
  let text: string;
  try {
    text = decoder.decode(message);
  } catch (cause) {
    throw new GovfedError('ERR_MALFORMED_CHECKPOINT', 'checkpoint text is not UTF-8', { cause });
  }
  parseCheckpoint(text);
  return text;
}

/** `PRIVATE+KEY+name+hash+base64(0x04 || seed)`: a cosigner's secret key string. */
export function cosignatureSignerKey(name: string, seed: Uint8Array): string {
  const signer = cosignatureSigner(name, seed, () => 0);
  return formatSignerKey(name, signer.keyHash, concatBytes(Uint8Array.of(ALG_COSIGNATURE_V1), seed));
}

/** Cosigns `checkpointText` at `timestamp` (POSIX seconds): the signature line's fields. */
export function signCosignature(
  checkpointText: string,
  name: string,
  seed: Uint8Array,
  timestamp: number,
): NoteSignature {
  assertTimestamp(timestamp);
  const signer = cosignatureSigner(name, seed, () => timestamp);
  return { name, keyHash: signer.keyHash, signature: signer.sign(utf8(checkpointText)) };
}

/** The timestamp in a cosignature/v1 signature, NOT verified. Throws ERR_MALFORMED_COSIGNATURE. */
export function cosignatureTimestamp(sig: NoteSignature): number {
  const timestamp = readTimestamp(sig.signature);
  if (timestamp === undefined) {
    throw new GovfedError('ERR_MALFORMED_COSIGNATURE', 'cosignature must be 72 bytes with a timestamp below 2^53');
  }
  return timestamp;
}

// ---- verification: a checklist, each step throws a coded error or returns what it proved ----

function requireCosignatureKey(verifier: NoteVerifier): void {
  const alg = (verifier as Partial<KeyedVerifier>).alg;
  if (alg !== undefined && alg !== ALG_COSIGNATURE_V1) {
    throw new GovfedError('ERR_INVALID_KEY', `verifier ${verifier.name} is not a cosignature/v1 key (alg ${alg})`);
  }
}

function requireSameKey(sig: NoteSignature, verifier: NoteVerifier): void {
  if (sig.name !== verifier.name || sig.keyHash !== verifier.keyHash) {
    throw new GovfedError('ERR_UNKNOWN_KEY', `cosignature is not by ${verifier.name}`);
  }
}

function requireValidSignature(checkpointText: string, sig: NoteSignature, verifier: NoteVerifier): void {
  if (!verifier.verify(utf8(checkpointText), sig.signature)) {
    throw new GovfedError('ERR_BAD_SIGNATURE', `cosignature by ${verifier.name} does not verify`);
  }
}

/**
 * Verifies one cosignature (attacker-controlled `sig`) on `checkpointText` with a cosigner's verifier
 * (from cosignatureVerifier or parseVerifierKey of an alg 0x04 vkey). Returns the signed timestamp.
 * Callers decide whether a timestamp in the future or too old is acceptable.
 */
export function verifyCosignature(
  checkpointText: string,
  sig: NoteSignature,
  verifier: NoteVerifier,
): { timestamp: number } {
  requireCosignatureKey(verifier);
  requireSameKey(sig, verifier);
  const timestamp = cosignatureTimestamp(sig);
  parseCheckpoint(checkpointText);
  requireValidSignature(checkpointText, sig, verifier);
  return { timestamp };
}
