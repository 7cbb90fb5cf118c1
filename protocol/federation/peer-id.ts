/**
 * libp2p Ed25519 peer ids ↔ raw Ed25519 public keys, without libp2p (protocol/ stays pure).
 *
 * A node's peer id is its federation identity: the charter lists members by peer id, and every
 * federation signature carries the signer's peer id as its DSSE keyid. Only the legacy base58btc form
 * of an Ed25519 key is accepted:
 *
 *     peerId = base58btc( 0x00 0x24 || 0x08 0x01 0x12 0x20 || publicKey[32] )
 *              identity multihash ─┘   └─ protobuf PublicKey { Type = Ed25519 (1), Data = 32 bytes }
 *
 * which always renders as 52 characters starting `12D3KooW`. RSA (`Qm…`), secp256k1 (`16Uiu2…`),
 * CID-encoded (`bafz…`) and every non-canonical encoding are rejected with ERR_INVALID_KEY, so a key
 * has exactly one accepted peer id string and string equality is key equality.
 */
import { assertPublicKey, keyPairFromSeed } from '../crypto/ed25519.ts';
import { concatBytes, equalBytes } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';

/** identity multihash (code 0x00, length 36) || protobuf PublicKey header (Type=1 Ed25519, Data len 32). */
const ED25519_PEER_ID_PREFIX = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20);
const PEER_ID_BYTES = ED25519_PEER_ID_PREFIX.length + 32;
/** Every Ed25519 peer id is exactly this long in base58btc. */
export const PEER_ID_LENGTH = 52;
/** A regular expression for the string form (syntax only; use `isPeerId` for the full check). */
export const PEER_ID_PATTERN = '^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const INDEX = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]));

/** base58btc (Bitcoin alphabet), leading zero bytes as leading '1's. */
export function toBase58btc(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits: number[] = []; // little-endian base-58 digits
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i] as number;
    for (let j = 0; j < digits.length; j++) {
      carry += (digits[j] as number) << 8;
      digits[j] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  let out = '1'.repeat(zeros);
  for (let i = digits.length - 1; i >= 0; i--) out += ALPHABET[digits[i] as number];
  return out;
}

/** Strict base58btc decode; the caller bounds the input length (the work is quadratic). */
export function fromBase58btc(s: string): Uint8Array {
  let zeros = 0;
  while (zeros < s.length && s[zeros] === '1') zeros++;
  const bytes: number[] = []; // little-endian
  for (let i = zeros; i < s.length; i++) {
    const v = INDEX.get(s[i] as string);
    if (v === undefined) throw new GovfedError('ERR_INVALID_ENCODING', 'invalid base58btc character');
    let carry = v;
    for (let j = 0; j < bytes.length; j++) {
      carry += (bytes[j] as number) * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  const out = new Uint8Array(zeros + bytes.length);
  for (let i = 0; i < bytes.length; i++) out[out.length - 1 - i] = bytes[i] as number;
  return out;
}

/**
 * The 32-byte Ed25519 public key inside a peer id (attacker-controlled input). Throws ERR_INVALID_KEY
 * for anything but the canonical base58btc Ed25519 form with a valid (canonical, not small-order) key.
 */
export function peerIdToPublicKey(peerId: string): Uint8Array {
  const known = typeof peerId === 'string' ? VALID.get(peerId) : undefined;
  if (known !== undefined) return known.slice();
  const publicKey = decodePeerId(peerId);
  if (VALID.size >= MAX_VALID) VALID.clear();
  VALID.set(peerId, publicKey.slice());
  return publicKey;
}

/**
 * Peer ids already checked, with their keys: every gossip message and charter member check decodes
 * peer ids, and checking a key (point decompression, small-order test) is the costly part — the same few
 * dozen ids come again and again. A pure memo of a pure function: an id is valid or not forever.
 */
const VALID = new Map<string, Uint8Array>();
const MAX_VALID = 4096;

function decodePeerId(peerId: string): Uint8Array {
  if (typeof peerId !== 'string' || peerId.length !== PEER_ID_LENGTH) {
    throw new GovfedError('ERR_INVALID_KEY', `peer id: expected ${PEER_ID_LENGTH} characters of base58btc`);
  }
  let raw: Uint8Array;
  try {
    raw = fromBase58btc(peerId);
  } catch (cause) {
    throw new GovfedError('ERR_INVALID_KEY', 'peer id: not base58btc', { cause });
  }
  if (
    raw.length !== PEER_ID_BYTES ||
    !equalBytes(raw.subarray(0, ED25519_PEER_ID_PREFIX.length), ED25519_PEER_ID_PREFIX)
  ) {
    throw new GovfedError('ERR_INVALID_KEY', 'peer id: not an identity-multihash Ed25519 peer id');
  }
  const publicKey = raw.slice(ED25519_PEER_ID_PREFIX.length);
  assertPublicKey(publicKey, 'peer id');
  // Canonical: exactly one string per key (rules out any encoding quirk the decoder tolerated).
  if (toBase58btc(raw) !== peerId) throw new GovfedError('ERR_INVALID_KEY', 'peer id: non-canonical encoding');
  return publicKey;
}

/** The peer id of a 32-byte Ed25519 public key. Throws ERR_INVALID_KEY for an invalid key. */
export function publicKeyToPeerId(publicKey: Uint8Array): string {
  assertPublicKey(publicKey, 'peer public key');
  return toBase58btc(concatBytes(ED25519_PEER_ID_PREFIX, publicKey));
}

/** The peer id of the node whose libp2p Ed25519 private key starts with this 32-byte seed. */
export function peerIdFromSeed(seed: Uint8Array): string {
  return publicKeyToPeerId(keyPairFromSeed(seed).publicKey);
}

/** True when `v` is a valid Ed25519 peer id string. */
export function isPeerId(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    peerIdToPublicKey(v);
    return true;
  } catch {
    return false;
  }
}
