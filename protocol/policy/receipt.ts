/**
 * Policy receipts: a member's signed statement "I applied bundle version n with this digest, and the
 * apply event is entry `logIndex` of my audit log". Gossiped after every apply; GET /v1/policy/status
 * shows each member's newest one — the proof that every environment runs the same baseline (the log
 * entry can be checked with an inclusion proof against that member's checkpoints).
 *
 *   { "type": "govfed.policy-receipt/v1", "federationId", "org", "peerId", "version", "bundleHash":
 *     "sha256:<hex>", "logIndex", "appliedAt" }
 * Canonical JSON, DSSE payloadType RECEIPT_PAYLOAD_TYPE, exactly one signature: by the member it names.
 */
import { isPlainObject, isRfc3339Utc, isSha256Digest, isUint } from '../audit/fields.ts';
import { canonicalBytes, parseCanonical } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { decodeEnvelope, type EnvelopeLimits, parseEnvelope } from '../dsse/index.ts';
import { GovfedError, isGovfedError } from '../errors.ts';
import { CharterChain } from '../federation/chain.ts';
import { type Charter, isFederationId, ORG_PATTERN } from '../federation/charter.ts';
import { type Envelope, signAsPeer, verifyPeerSigned } from '../federation/envelope.ts';
import { isPeerId, peerIdFromSeed } from '../federation/peer-id.ts';

export const RECEIPT_TYPE = 'govfed.policy-receipt/v1';
export const RECEIPT_PAYLOAD_TYPE = 'application/vnd.govfed.policy-receipt+json';
export const MAX_RECEIPT_BYTES = 4096;
export const RECEIPT_ENVELOPE_LIMITS: Required<EnvelopeLimits> = { maxBytes: 16 * 1024, maxSignatures: 1 };

export interface PolicyReceipt {
  type: typeof RECEIPT_TYPE;
  federationId: string;
  org: string;
  peerId: string;
  version: number;
  bundleHash: string;
  logIndex: number;
  appliedAt: string;
}

const FIELDS = ['type', 'federationId', 'org', 'peerId', 'version', 'bundleHash', 'logIndex', 'appliedAt'];
const ORG_RE = new RegExp(ORG_PATTERN);

function malformed(message: string, cause?: unknown): GovfedError {
  return new GovfedError(
    'ERR_MALFORMED_RECEIPT',
    `policy receipt: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Checks a receipt value (attacker-controlled); returns a fresh copy. Throws ERR_MALFORMED_RECEIPT. */
export function checkReceipt(value: unknown): PolicyReceipt {
  if (!isPlainObject(value)) throw malformed('expected an object');
  for (const k of FIELDS) if (!Object.hasOwn(value, k)) throw malformed(`missing "${k}"`);
  for (const k of Object.keys(value)) if (!FIELDS.includes(k)) throw malformed(`unknown field "${k}"`);
  const v = value;
  if (v.type !== RECEIPT_TYPE) throw malformed(`type: expected "${RECEIPT_TYPE}"`);
  if (!isFederationId(v.federationId)) throw malformed('federationId: expected 64 lowercase hex');
  if (typeof v.org !== 'string' || !ORG_RE.test(v.org)) throw malformed(`org: expected ${ORG_PATTERN}`);
  if (!isPeerId(v.peerId)) throw malformed('peerId: not an Ed25519 libp2p peer id');
  if (!isUint(v.version) || v.version < 1) throw malformed('version: expected an integer >= 1');
  if (!isSha256Digest(v.bundleHash)) throw malformed('bundleHash: expected sha256:<64 hex>');
  if (!isUint(v.logIndex)) throw malformed('logIndex: expected an integer >= 0');
  if (!isRfc3339Utc(v.appliedAt)) throw malformed('appliedAt: expected an RFC 3339 UTC timestamp');
  return {
    type: RECEIPT_TYPE,
    federationId: v.federationId,
    org: v.org,
    peerId: v.peerId,
    version: v.version,
    bundleHash: v.bundleHash,
    logIndex: v.logIndex,
    appliedAt: v.appliedAt,
  };
}

export function encodeReceipt(r: PolicyReceipt): Uint8Array {
  return canonicalBytes(checkReceipt(r));
}

/** Parses receipt bytes (attacker-controlled): bounded canonical JSON, then checkReceipt. */
export function decodeReceipt(bytes: Uint8Array): PolicyReceipt {
  let value: unknown;
  try {
    value = parseCanonical(bytes, MAX_RECEIPT_BYTES);
  } catch (cause) {
    if (isGovfedError(cause, 'ERR_NOT_CANONICAL')) throw cause;
    throw malformed('not bounded canonical JSON', cause);
  }
  return checkReceipt(value);
}

/** Signs a receipt as its own peer (the seed must be the key of `r.peerId`: ERR_INVALID_INPUT otherwise). */
export function signReceipt(r: PolicyReceipt, seed: Uint8Array): Envelope {
  if (peerIdFromSeed(seed) !== r.peerId)
    throw new GovfedError('ERR_INVALID_INPUT', 'a receipt is signed by its peerId');
  return signAsPeer(RECEIPT_PAYLOAD_TYPE, encodeReceipt(r), seed);
}

/** The receipt inside an envelope (attacker-controlled), checked for shape only — NOT its signature. */
export function receiptOf(env: unknown): PolicyReceipt {
  const d = decodeEnvelope(parseEnvelope(env, RECEIPT_ENVELOPE_LIMITS));
  if (d.payloadType !== RECEIPT_PAYLOAD_TYPE) {
    throw new GovfedError('ERR_PAYLOAD_TYPE_MISMATCH', `payloadType must be ${RECEIPT_PAYLOAD_TYPE}`);
  }
  return decodeReceipt(d.payload);
}

/**
 * Verifies a receipt envelope (attacker-controlled) against the current charter:
 *   1. well-formed, receipt payload, one signature                (ERR_MALFORMED_ENVELOPE, ERR_PAYLOAD_TYPE_MISMATCH, ERR_MALFORMED_RECEIPT)
 *   2. of this federation (with a CharterChain or federationId)    (ERR_FEDERATION_MISMATCH)
 *   3. the org/peerId it names is a current member                 (ERR_UNKNOWN_SIGNER)
 *   4. signed by exactly that peer, and the signature verifies     (ERR_UNKNOWN_SIGNER, ERR_BAD_SIGNATURE)
 */
export function verifyReceipt(
  env: Envelope,
  charter: Charter | CharterChain,
  federationId?: string,
  opts: VerifyOptions = {},
): PolicyReceipt {
  const current = charter instanceof CharterChain ? charter.current : charter;
  const fedId = charter instanceof CharterChain ? charter.federationId : federationId;
  const r = receiptOf(env);
  if (fedId !== undefined && r.federationId !== fedId) {
    throw new GovfedError('ERR_FEDERATION_MISMATCH', `receipt of federation ${r.federationId}`);
  }
  const member = current.members.find((m) => m.peerId === r.peerId);
  if (member === undefined || member.org !== r.org) {
    throw new GovfedError('ERR_UNKNOWN_SIGNER', `receipt names ${r.org}/${r.peerId}, not a current member`);
  }
  const { signedBy } = verifyPeerSigned(env, {
    payloadType: RECEIPT_PAYLOAD_TYPE,
    allowed: new Set([r.peerId]),
    limits: RECEIPT_ENVELOPE_LIMITS,
    verify: opts.verify,
  });
  if (signedBy.length !== 1) throw malformed('expected exactly one signature');
  return r;
}
