/**
 * Signed gossip: the one message format on every federation topic.
 *
 * A gossip message is a DSSE envelope (payloadType `application/vnd.govfed.gossip+json`) with exactly
 * one signature, by the sender's peer key, keyid = sender peer id. Its payload is the JCS form of
 *
 *     { type, federationId, charterVersion, sender, seq, sentAt, body }
 *
 * `type` is the gossip kind (= the topic's kind), `charterVersion` the newest charter version the sender
 * holds, `seq` a per-sender counter (the adapter may drop (sender, seq) pairs it has seen), `sentAt`
 * RFC 3339 UTC, `body` a JSON object whose shape belongs to the kind (charter, proposal: `{envelope}`).
 * The bytes on the wire are the envelope serialised by protocol/dsse's serializeEnvelope — exactly one
 * byte form per message, so hash(bytes) is a sound gossipsub message id (gossipMessageId).
 *
 * decodeAndVerifyGossip is the topic validator's checklist. Each failure is a GossipValidationError
 * carrying `reject` (invalid: penalise) or `ignore` (maybe valid, useless now: drop quietly).
 */

import { isPlainObject, isRfc3339Utc } from '../audit/fields.ts';
import { canonicalBytes, parseCanonical } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/sha256.ts';
import { decodeEnvelope, type Envelope, parseEnvelope, serializeEnvelope } from '../dsse/index.ts';
import { fromUtf8, utf8 } from '../encoding/bytes.ts';
import { type ErrorCode, GovfedError, isGovfedError } from '../errors.ts';
import type { CharterChain } from './chain.ts';
import { isFederationId } from './charter.ts';
import { asPeerKey, type PeerKey, signAsPeer, verifyPeerSigned } from './envelope.ts';
import { type GossipAction, GossipValidationError } from './errors.ts';
import { isPeerId } from './peer-id.ts';
import { CHARTER_ENVELOPE_LIMITS } from './proposal.ts';
import { isKind } from './topics.ts';

export const GOSSIP_PAYLOAD_TYPE = 'application/vnd.govfed.gossip+json';
/** Default bound on a gossip message (the serialised envelope); also gossipsub's default maxMessageSize. */
export const MAX_GOSSIP_BYTES = 1 << 20;
/** Default clock skew tolerated on `sentAt`, either way. */
export const DEFAULT_MAX_SKEW_MS = 5 * 60_000;
/** Default number of charter versions a sender may lag behind us before its messages are ignored. */
export const DEFAULT_VERSION_TOLERANCE = 1;

export interface GossipMessage {
  /** The gossip kind: `charter`, `proposal`, later `policy`, `checkpoint`, … */
  type: string;
  federationId: string;
  charterVersion: number;
  /** The sender's peer id; the envelope's only signature is by this key. */
  sender: string;
  seq: number;
  sentAt: string;
  body: Record<string, unknown>;
}

const FIELDS = ['type', 'federationId', 'charterVersion', 'sender', 'seq', 'sentAt', 'body'];

/** Checks a gossip payload value's shape; throws ERR_MALFORMED_GOSSIP. */
export function checkGossipMessage(v: unknown): GossipMessage {
  const bad = (m: string) => new GovfedError('ERR_MALFORMED_GOSSIP', `gossip: ${m}`);
  if (!isPlainObject(v)) throw bad('expected an object');
  for (const k of FIELDS) if (!(k in v)) throw bad(`missing "${k}"`);
  for (const k of Object.keys(v)) if (!FIELDS.includes(k)) throw bad(`unknown field "${k}"`);
  if (!isKind(v.type)) throw bad('type: not a gossip kind');
  if (!isFederationId(v.federationId)) throw bad('federationId: expected 64 hex');
  if (!isPositiveInt(v.charterVersion)) throw bad('charterVersion: expected an integer >= 1');
  if (!isPeerId(v.sender)) throw bad('sender: not an Ed25519 peer id');
  if (typeof v.seq !== 'number' || !Number.isSafeInteger(v.seq) || v.seq < 0)
    throw bad('seq: expected an integer >= 0');
  if (!isRfc3339Utc(v.sentAt)) throw bad('sentAt: expected an RFC 3339 UTC timestamp');
  if (!isPlainObject(v.body)) throw bad('body: expected an object');
  return {
    type: v.type,
    federationId: v.federationId,
    charterVersion: v.charterVersion,
    sender: v.sender,
    seq: v.seq,
    sentAt: v.sentAt,
    body: v.body,
  };
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}

/**
 * The wire bytes of `msg`, signed by the sender (whose seed or PeerKey this is). Throws ERR_INVALID_INPUT
 * when the key is not the sender's, ERR_MALFORMED_GOSSIP for a malformed message, ERR_MESSAGE_TOO_LARGE above
 * `maxBytes`.
 */
export function encodeGossip(msg: GossipMessage, key: Uint8Array | PeerKey, maxBytes = MAX_GOSSIP_BYTES): Uint8Array {
  const m = checkGossipMessage(msg);
  const k = asPeerKey(key);
  if (k.peerId !== m.sender) {
    throw new GovfedError(
      'ERR_INVALID_INPUT',
      `gossip: the signing key is ${k.peerId}'s, not the sender's (${m.sender})`,
    );
  }
  const bytes = utf8(serializeEnvelope(signAsPeer(GOSSIP_PAYLOAD_TYPE, canonicalBytes(m), k)));
  if (bytes.length > maxBytes) {
    throw new GovfedError('ERR_MESSAGE_TOO_LARGE', `gossip: ${bytes.length} bytes, more than ${maxBytes}`);
  }
  return bytes;
}

/** The gossipsub message id of a message's wire bytes: SHA-256 (the bytes have one form per message). */
export function gossipMessageId(data: Uint8Array): Uint8Array {
  return sha256(data);
}

/** What the validator needs from the receiver's chain (a CharterChain is one). */
export type MembershipView = Pick<CharterChain, 'federationId' | 'version' | 'isMember'>;

export interface GossipValidationOptions extends VerifyOptions {
  /** The receiver's charter chain: federation id, members, current version. */
  chain: MembershipView;
  /** Current time, ms since the epoch. */
  now: number;
  maxBytes?: number;
  maxSkewMs?: number;
  /** Versions a sender may lag behind our current charter (default 1). */
  versionTolerance?: number;
  /** The topic's kind; the message's `type` must equal it. */
  kind?: string;
}

export interface VerifiedGossip {
  message: GossipMessage;
  /** The envelope as received (normalised). */
  envelope: Envelope;
  /** The sender holds a newer charter version than we do: sync charters from it. */
  needsSync: boolean;
}

function fail(code: ErrorCode, action: GossipAction, message: string, cause?: unknown): never {
  throw new GossipValidationError(code, action, `gossip: ${message}`, cause === undefined ? undefined : { cause });
}

/**
 * The topic validator (attacker-controlled `bytes`). Checks, in this order:
 *   1. at most maxBytes                                                    ERR_MESSAGE_TOO_LARGE      reject
 *   2. a well-formed envelope with one signature, in its one serialised
 *      form, of the gossip payload type                                   ERR_MALFORMED_ENVELOPE /
 *                                                                          ERR_MALFORMED_GOSSIP /
 *                                                                          ERR_PAYLOAD_TYPE_MISMATCH  reject
 *   3. payload is canonical JSON of a well-formed message whose type is
 *      the topic's kind                                                    ERR_NOT_CANONICAL /
 *                                                                          ERR_MALFORMED_GOSSIP       reject
 *      and whose sender is the signature's keyid                           ERR_BAD_SIGNATURE          reject
 *   4. federationId is ours                                                ERR_FEDERATION_MISMATCH    reject
 *   5. sender is a current member                                          ERR_UNKNOWN_SIGNER         reject
 *      — except: a sender who was a member within `versionTolerance`
 *        versions (just removed; forwarders may not know yet)                                         ignore
 *      — except: a message from a newer charter version than ours, which
 *        may have admitted the sender (after its signature is checked)    ERR_CHARTER_GAP            ignore
 *   6. the signature verifies under the sender's key                       ERR_BAD_SIGNATURE          reject
 *   7. charterVersion >= ours - versionTolerance                           ERR_STALE_VERSION          ignore
 *   8. |sentAt - now| <= maxSkewMs                                         ERR_CLOCK_SKEW             ignore
 * A current member's message that names a newer charter version than ours is accepted (a member
 * announcing charter n+1 necessarily holds it already) with `needsSync: true`: the caller should sync
 * charters from that peer. Returns the message; what its body means is for the kind's handler (e.g.
 * CharterChain.accept).
 */
export function decodeAndVerifyGossip(bytes: Uint8Array, opts: GossipValidationOptions): VerifiedGossip {
  const maxBytes = opts.maxBytes ?? MAX_GOSSIP_BYTES;
  const maxSkewMs = opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const tolerance = opts.versionTolerance ?? DEFAULT_VERSION_TOLERANCE;
  const { chain } = opts;

  // 1. size, before anything is parsed
  if (!(bytes instanceof Uint8Array)) fail('ERR_MALFORMED_GOSSIP', 'reject', 'expected bytes');
  if (bytes.length > maxBytes) fail('ERR_MESSAGE_TOO_LARGE', 'reject', `${bytes.length} bytes, more than ${maxBytes}`);

  // 2. envelope schema
  let envelope: Envelope;
  try {
    envelope = parseEnvelope(bytes, { maxBytes, maxSignatures: 1 });
  } catch (cause) {
    fail(codeOf(cause, 'ERR_MALFORMED_ENVELOPE'), 'reject', 'not a well-formed envelope', cause);
  }
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch (cause) {
    fail('ERR_MALFORMED_GOSSIP', 'reject', 'not UTF-8', cause);
  }
  if (serializeEnvelope(envelope) !== text)
    fail('ERR_MALFORMED_GOSSIP', 'reject', 'envelope not in its serialised form');
  if (envelope.payloadType !== GOSSIP_PAYLOAD_TYPE) {
    fail('ERR_PAYLOAD_TYPE_MISMATCH', 'reject', `payloadType must be ${GOSSIP_PAYLOAD_TYPE}`);
  }
  const decoded = decodeEnvelope(envelope);
  const signer = decoded.signatures[0]?.keyid;

  // 3. payload: canonical, well-formed, consistent with topic and signature
  let message: GossipMessage;
  try {
    message = checkGossipMessage(parseCanonical(decoded.payload, maxBytes));
  } catch (cause) {
    fail(codeOf(cause, 'ERR_MALFORMED_GOSSIP'), 'reject', 'payload is not a canonical gossip message', cause);
  }
  if (opts.kind !== undefined && message.type !== opts.kind) {
    fail('ERR_MALFORMED_GOSSIP', 'reject', `type ${message.type} on the ${opts.kind} topic`);
  }
  if (signer !== message.sender) fail('ERR_BAD_SIGNATURE', 'reject', 'the signature is not by the sender (keyid)');

  // 4. federation
  if (message.federationId !== chain.federationId) {
    fail('ERR_FEDERATION_MISMATCH', 'reject', `federation ${message.federationId} is not ours`);
  }

  // 5. membership (cheap) before the signature (expensive)
  const newer = message.charterVersion > chain.version;
  if (!chain.isMember(message.sender)) {
    if (newer) {
      verifySender(envelope, message.sender, opts);
      fail(
        'ERR_CHARTER_GAP',
        'ignore',
        `sender unknown at version ${chain.version}; it claims ${message.charterVersion}`,
      );
    }
    const recent = [...Array(tolerance).keys()].some((k) => chain.isMember(message.sender, chain.version - 1 - k));
    fail('ERR_UNKNOWN_SIGNER', recent ? 'ignore' : 'reject', `${message.sender} is not a member`);
  }

  // 6. signature
  verifySender(envelope, message.sender, opts);

  // 7. charter version
  if (message.charterVersion < chain.version - tolerance) {
    fail(
      'ERR_STALE_VERSION',
      'ignore',
      `charter version ${message.charterVersion} is older than ${chain.version - tolerance}`,
    );
  }

  // 8. clock
  const skew = Date.parse(message.sentAt) - opts.now;
  if (!(Math.abs(skew) <= maxSkewMs)) fail('ERR_CLOCK_SKEW', 'ignore', `sentAt is ${skew} ms from now`);

  return { message, envelope, needsSync: newer };
}

function verifySender(envelope: Envelope, sender: string, opts: VerifyOptions): void {
  try {
    verifyPeerSigned(envelope, { payloadType: GOSSIP_PAYLOAD_TYPE, allowed: new Set([sender]), verify: opts.verify });
  } catch (cause) {
    fail('ERR_BAD_SIGNATURE', 'reject', 'signature does not verify under the sender key', cause);
  }
}

function codeOf(err: unknown, fallback: ErrorCode): ErrorCode {
  return isGovfedError(err) ? (err.code as ErrorCode) : fallback;
}

/** The body of a `charter` or `proposal` message: one charter envelope. */
export function envelopeBody(env: Envelope): { envelope: Envelope } {
  return { envelope: parseEnvelope(env, CHARTER_ENVELOPE_LIMITS) };
}

/**
 * The envelope in a `charter` / `proposal` message body (attacker-controlled, though the message was
 * signed by a member). Throws a GossipValidationError ERR_MALFORMED_GOSSIP (reject).
 */
export function envelopeFromBody(body: Record<string, unknown>): Envelope {
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'envelope') fail('ERR_MALFORMED_GOSSIP', 'reject', 'body must be {envelope}');
  try {
    return parseEnvelope(body.envelope, CHARTER_ENVELOPE_LIMITS);
  } catch (cause) {
    fail('ERR_MALFORMED_GOSSIP', 'reject', 'body.envelope is not a well-formed envelope', cause);
  }
}
