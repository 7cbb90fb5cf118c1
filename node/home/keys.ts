/**
 * The node's two private keys, each in its own file under DIR/keys/ with mode 0600:
 *
 * - log.key: the log's checkpoint signing key, as a C2SP signer key string
 *   `PRIVATE+KEY+<origin>+<key id>+base64(0x01 || seed)` (the format of Go's sumdb/note). The key name is
 *   the log origin `govfed/<org>/<first 8 hex of SHA-256(public key)>`, so a re-initialised node gets a
 *   new origin and its checkpoints can never be confused with the old log's.
 * - peer.key: the libp2p Ed25519 identity, protobuf-encoded; the peer id is derived from it.
 * - witness.key: the witness's C2SP cosignature/v1 signer key `PRIVATE+KEY+govfed/<org>/witness+<key
 *   id>+base64(0x04 || seed)`; it cosigns other members' checkpoints (node/witness). Its verifier key is
 *   config.witnessKey and is published in the charter.
 *
 * Key material never leaves these functions except as the file contents and the signer object.
 */
import {
  generateKeyPair as generateLibp2pKey,
  privateKeyFromProtobuf,
  privateKeyToProtobuf,
} from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { generateKeyPair } from '../../protocol/crypto/ed25519.ts';
import { sha256 } from '../../protocol/crypto/sha256.ts';
import { toHex } from '../../protocol/encoding/bytes.ts';
import {
  cosignatureSignerKey,
  cosignatureVerifierKey,
  ed25519SignerKey,
  ed25519VerifierKey,
  type NoteSigner,
  parseSignerKey,
} from '../../protocol/note/index.ts';
import { opensslSign } from '../crypto/ed25519.ts';
import { NodeError } from '../errors.ts';

/** The log origin for `org` and the log's public key. */
export function logOrigin(org: string, publicKey: Uint8Array): string {
  return `govfed/${org}/${toHex(sha256(publicKey)).slice(0, 8)}`;
}

export interface NewLogKey {
  origin: string;
  /** The signer key string (secret): the contents of log.key. */
  signerKey: string;
  verifierKey: string;
}

/** A fresh log signing key for `org`. */
export function newLogKey(org: string): NewLogKey {
  const { seed, publicKey } = generateKeyPair();
  const origin = logOrigin(org, publicKey);
  const key = { origin, signerKey: ed25519SignerKey(origin, seed), verifierKey: ed25519VerifierKey(origin, publicKey) };
  seed.fill(0);
  return key;
}

export interface LogKey {
  signer: NoteSigner;
  publicKey: Uint8Array;
  verifierKey: string;
}

/** Parses the contents of log.key (an Ed25519 note signer key). Throws ERR_INVALID_CONFIG. */
export function parseLogKey(text: string): LogKey {
  let signer: NoteSigner;
  try {
    signer = parseSignerKey(text.trim());
  } catch (cause) {
    throw new NodeError('ERR_INVALID_CONFIG', 'keys/log.key is not a valid signer key', { cause });
  }
  const publicKey = (signer as { publicKey?: unknown }).publicKey;
  if (!(publicKey instanceof Uint8Array)) {
    throw new NodeError('ERR_INVALID_CONFIG', 'keys/log.key must be an Ed25519 note signer key (type 0x01)');
  }
  return { signer, publicKey, verifierKey: ed25519VerifierKey(signer.name, publicKey) };
}

/** The key name of `org`'s witness: `govfed/<org>/witness`. */
export function witnessKeyName(org: string): string {
  return `govfed/${org}/witness`;
}

export interface NewWitnessKey {
  /** The signer key string (secret): the contents of witness.key. */
  signerKey: string;
  verifierKey: string;
}

/** A fresh witness cosignature key for `org`. */
export function newWitnessKey(org: string): NewWitnessKey {
  const { seed, publicKey } = generateKeyPair();
  const name = witnessKeyName(org);
  const key = { signerKey: cosignatureSignerKey(name, seed), verifierKey: cosignatureVerifierKey(name, publicKey) };
  seed.fill(0);
  return key;
}

export interface WitnessKey {
  /** A cosignature/v1 signer stamping signatures with `now()` (POSIX seconds). */
  signer: NoteSigner;
  verifierKey: string;
}

/** Parses the contents of witness.key (a cosignature/v1 signer key). Throws ERR_INVALID_CONFIG. */
export function parseWitnessKey(text: string, now: () => number = () => Date.now() / 1000): WitnessKey {
  let signer: NoteSigner;
  try {
    signer = parseSignerKey(text.trim(), { now, sign: opensslSign });
  } catch (cause) {
    throw new NodeError('ERR_INVALID_CONFIG', 'keys/witness.key is not a valid signer key', { cause });
  }
  // cosignatureSigner (type 0x04) has lastTimestamp; a plain Ed25519 note signer (0x01) does not.
  const publicKey = (signer as { publicKey?: unknown }).publicKey;
  if (!(publicKey instanceof Uint8Array) || !('lastTimestamp' in signer)) {
    throw new NodeError('ERR_INVALID_CONFIG', 'keys/witness.key must be a cosignature/v1 signer key (type 0x04)');
  }
  return { signer, verifierKey: cosignatureVerifierKey(signer.name, publicKey) };
}

// @libp2p/peer-id@5 is typed against @libp2p/interface@2, @libp2p/crypto@5.1 against @libp2p/interface@3; the
// key objects are the same at run time. (@libp2p/peer-id@6 shares @libp2p/interface@3 and needs no cast.)
type PeerIdKey = Parameters<typeof peerIdFromPrivateKey>[0];

function peerIdString(key: object): string {
  return peerIdFromPrivateKey(key as PeerIdKey).toString();
}

export interface NewPeerKey {
  /** privateKeyToProtobuf bytes (secret): the contents of peer.key. */
  protobuf: Uint8Array;
  peerId: string;
}

/** A fresh libp2p Ed25519 identity. */
export async function newPeerKey(): Promise<NewPeerKey> {
  const key = await generateLibp2pKey('Ed25519');
  return { protobuf: privateKeyToProtobuf(key), peerId: peerIdString(key) };
}

/** The 32-byte Ed25519 seed of a protobuf-encoded libp2p private key (secret). Throws ERR_INVALID_CONFIG. */
export function peerSeedOfKey(protobuf: Uint8Array): Uint8Array {
  peerIdOfKey(protobuf); // an Ed25519 key, or ERR_INVALID_CONFIG
  return privateKeyFromProtobuf(protobuf).raw.slice(0, 32);
}

/** The peer id of a protobuf-encoded libp2p private key. Throws ERR_INVALID_CONFIG. */
export function peerIdOfKey(protobuf: Uint8Array): string {
  try {
    const key = privateKeyFromProtobuf(protobuf);
    if (key.type !== 'Ed25519') throw new Error(`expected an Ed25519 key, got ${key.type}`);
    return peerIdString(key);
  } catch (cause) {
    throw new NodeError('ERR_INVALID_CONFIG', 'keys/peer.key is not a libp2p Ed25519 private key', { cause });
  }
}
