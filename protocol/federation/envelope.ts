/**
 * DSSE envelopes signed by peer keys: the one signing convention for every federation object.
 *
 *   - a signature's `keyid` is the signer's libp2p peer id (`12D3KooW…`), and is required;
 *   - the signature is Ed25519 over DSSE PAE(payloadType, payload) with the peer key's 32-byte seed;
 *   - signatures are kept sorted by keyid (UTF-16 code unit order), one per keyid.
 *
 * Because a peer id *is* its public key, any signature can be checked without a key directory; whether
 * the signer counts for anything (member, founder, threshold) is decided by the caller from the
 * charter. Verification here is strict where protocol/dsse's threshold check is lenient: every
 * signature present must name an allowed signer and verify, so a federation object has no dead
 * weight and a flipped bit anywhere in it is caught.
 */

import { type Ed25519Sign, type Ed25519Verify, type VerifyOptions, verify } from '../crypto/ed25519.ts';
import {
  type DecodedEnvelope,
  decodeEnvelope,
  type Envelope,
  type EnvelopeLimits,
  type EnvelopeSignature,
  pae,
  parseEnvelope,
  signEnvelope,
  verifyEnvelope,
} from '../dsse/index.ts';
import { equalBytes } from '../encoding/bytes.ts';
import { GovfedError, isGovfedError } from '../errors.ts';
import { peerIdFromSeed, peerIdToPublicKey } from './peer-id.ts';

export type { Envelope } from '../dsse/index.ts';

/**
 * A peer key ready to sign: its peer id derived once (a scalar multiplication on the pure path, each
 * time a seed alone is given), and `opts.sign` signing instead of @noble/ed25519 (the node: OpenSSL;
 * same bytes, RFC 8032 signatures are deterministic).
 */
export interface PeerKey {
  readonly peerId: string;
  readonly seed: Uint8Array;
  readonly sign?: Ed25519Sign | undefined;
}

export function peerKey(seed: Uint8Array, opts: { sign?: Ed25519Sign } = {}): PeerKey {
  return { peerId: peerIdFromSeed(seed), seed, sign: opts.sign };
}

/** A seed or a PeerKey as a PeerKey. */
export function asPeerKey(key: Uint8Array | PeerKey): PeerKey {
  return key instanceof Uint8Array ? peerKey(key) : key;
}

/** Sign `payload` as the peer whose key this is (or whose seed): one signature, keyid = its peer id. */
export function signAsPeer(payloadType: string, payload: Uint8Array, key: Uint8Array | PeerKey): Envelope {
  const k = asPeerKey(key);
  return signEnvelope(payloadType, payload, [{ keyid: k.peerId, seed: k.seed, sign: k.sign }]);
}

function byKeyid(a: { keyid?: string }, b: { keyid?: string }): number {
  const x = a.keyid ?? '';
  const y = b.keyid ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** True when `s` is a valid signature by its keyid's peer key over `message` (never throws). */
function isValidPeerSignature(
  message: Uint8Array,
  s: DecodedEnvelope['signatures'][number],
  check: Ed25519Verify,
): boolean {
  if (s.keyid === undefined) return false;
  try {
    return check(s.sig, message, peerIdToPublicKey(s.keyid));
  } catch {
    return false;
  }
}

/**
 * Union of the valid peer signatures of two envelopes over the same payload, sorted by keyid, one per
 * peer (attacker-controlled inputs: invalid and keyid-less signatures are dropped). Throws
 * ERR_PAYLOAD_MISMATCH when payloadType or payload differ, ERR_BAD_SIGNATURE when none is valid.
 */
export function mergePeerSignatures(
  a: Envelope,
  b: Envelope,
  limits?: EnvelopeLimits,
  opts: VerifyOptions = {},
): Envelope {
  const check = opts.verify ?? verify;
  const pa = parseEnvelope(a, limits);
  const pb = parseEnvelope(b, limits);
  const da = decodeEnvelope(pa);
  const db = decodeEnvelope(pb);
  if (da.payloadType !== db.payloadType || !equalBytes(da.payload, db.payload)) {
    throw new GovfedError('ERR_PAYLOAD_MISMATCH', 'envelopes carry different payloads');
  }
  const message = pae(da.payloadType, da.payload);
  const kept = new Map<string, EnvelopeSignature>();
  for (const [p, d] of [
    [pa, da],
    [pb, db],
  ] as const) {
    // parseEnvelope and decodeEnvelope list the signatures in the same order.
    d.signatures.forEach((s, i) => {
      if (s.keyid === undefined || kept.has(s.keyid) || !isValidPeerSignature(message, s, check)) return;
      kept.set(s.keyid, { keyid: s.keyid, sig: (p.signatures[i] as EnvelopeSignature).sig });
    });
  }
  if (kept.size === 0) throw new GovfedError('ERR_BAD_SIGNATURE', 'no valid peer signature to keep');
  return { payloadType: pa.payloadType, payload: pa.payload, signatures: [...kept.values()].sort(byKeyid) };
}

export interface PeerSignedPayload {
  payloadType: string;
  payload: Uint8Array;
  /** Peer ids whose signatures verified (all of the envelope's), sorted. */
  signedBy: string[];
}

/**
 * Checks an envelope (attacker-controlled) whose every signature must be by one of `allowed` peers:
 *   1. well-formed, within `limits`                                (ERR_MALFORMED_ENVELOPE)
 *   2. payloadType is `payloadType`                                (ERR_PAYLOAD_TYPE_MISMATCH)
 *   3. every signature has a keyid, no keyid twice                 (ERR_MALFORMED_ENVELOPE)
 *   4. every keyid is an allowed peer id                           (ERR_UNKNOWN_SIGNER)
 *   5. every signature verifies under its keyid's key              (ERR_BAD_SIGNATURE)
 * Steps 3–4 are cheap and run before any signature is verified.
 */
export function verifyPeerSigned(
  env: Envelope,
  opts: { payloadType: string; allowed: ReadonlySet<string>; limits?: EnvelopeLimits } & VerifyOptions,
): PeerSignedPayload {
  const parsed = parseEnvelope(env, opts.limits);
  const d = decodeEnvelope(parsed);
  if (d.payloadType !== opts.payloadType) {
    throw new GovfedError('ERR_PAYLOAD_TYPE_MISMATCH', `payloadType must be ${JSON.stringify(opts.payloadType)}`);
  }
  const keyids = new Set<string>();
  for (const s of d.signatures) {
    if (s.keyid === undefined) throw new GovfedError('ERR_MALFORMED_ENVELOPE', 'signature without a keyid (peer id)');
    if (keyids.has(s.keyid)) throw new GovfedError('ERR_MALFORMED_ENVELOPE', 'two signatures with the same keyid');
    keyids.add(s.keyid);
    if (!opts.allowed.has(s.keyid)) {
      throw new GovfedError('ERR_UNKNOWN_SIGNER', `signature by ${s.keyid}, who may not sign this`);
    }
  }
  const signers = [...keyids];
  try {
    // Every signer is trusted under its own peer id, and all of them must verify.
    verifyEnvelope(parsed, {
      payloadType: opts.payloadType,
      threshold: signers.length,
      trustedKeys: signers.map((keyid) => ({ keyid, publicKey: peerIdToPublicKey(keyid) })),
      verify: opts.verify,
    });
  } catch (cause) {
    if (isGovfedError(cause, 'ERR_THRESHOLD_NOT_MET')) {
      throw new GovfedError('ERR_BAD_SIGNATURE', 'a signature does not verify under its peer key', { cause });
    }
    throw cause;
  }
  return { payloadType: d.payloadType, payload: d.payload, signedBy: signers.sort() };
}
