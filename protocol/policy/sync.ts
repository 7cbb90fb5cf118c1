/**
 * Policy sync messages (libp2p protocol POLICY_SYNC_PROTOCOL = `/govfed/policy/1.0.0`) and gossip bodies.
 *
 * One request frame → one response frame, each the JCS bytes of one message below, at most
 * MAX_POLICY_SYNC_BYTES (length-prefixed like /govfed/sync/1.0.0). Messages are unsigned: the stream is
 * authenticated (Noise) and everything that matters inside — bundle and receipt envelopes — is
 * self-authenticating; hello contents are only hints.
 *
 *   { type: 'policy-hello', version, digest: 'sha256:…' | null, pending: ['sha256:…', …] }   ↔ same
 *   { type: 'get-policies', from }           → { type: 'policies', envelopes: [bundle envelope…] }
 *       applied bundles of versions >= from, oldest first (at most MAX_SYNC_POLICIES, within the frame)
 *   { type: 'policy-proposal', envelope }    → policy-hello   (push a pending bundle with its signatures)
 *   { type: 'get-receipts' }                 → { type: 'receipts', envelopes: [receipt envelope…] }
 *       the newest receipt of each member that the node holds
 * Gossip bodies: kind `policy` → { envelope } (a bundle with >= 1 signature, complete or not);
 * kind `policy-receipt` → { envelope }. Decoding is strict: exact fields, bounded, canonical, and
 * envelopes with the right payload type (ERR_MALFORMED_SYNC_MESSAGE, ERR_MALFORMED_GOSSIP).
 */
import { isPlainObject, isSha256Digest, isUint } from '../audit/fields.ts';
import { decodeEnvelope, type Envelope, type EnvelopeLimits, parseEnvelope } from '../dsse/index.ts';
import { GovfedError } from '../errors.ts';
import { MAX_MEMBERS } from '../federation/charter.ts';
import { decodeFrame, encodeFrame } from '../federation/frame.ts';
import { BASELINE_ENVELOPE_LIMITS, POLICY_PAYLOAD_TYPE } from './baseline.ts';
import { RECEIPT_ENVELOPE_LIMITS, RECEIPT_PAYLOAD_TYPE } from './receipt.ts';

export const POLICY_SYNC_PROTOCOL = '/govfed/policy/1.0.0';
export const MAX_POLICY_SYNC_BYTES = 4 * 1024 * 1024;
/** Most bundle envelopes in one `policies` message. */
export const MAX_SYNC_POLICIES = 32;
/** Most digests in a hello's `pending`. */
export const MAX_PENDING_DIGESTS = 64;
/** Most receipt envelopes in one `receipts` message (one per member). */
export const MAX_SYNC_RECEIPTS = MAX_MEMBERS;

export interface PolicyHelloMessage {
  type: 'policy-hello';
  version: number;
  digest: string | null;
  pending: string[];
}
export interface GetPoliciesMessage {
  type: 'get-policies';
  from: number;
}
export interface PoliciesMessage {
  type: 'policies';
  envelopes: Envelope[];
}
export interface PolicyProposalMessage {
  type: 'policy-proposal';
  envelope: Envelope;
}
export interface GetReceiptsMessage {
  type: 'get-receipts';
}
export interface ReceiptsMessage {
  type: 'receipts';
  envelopes: Envelope[];
}

export type PolicySyncMessage =
  | PolicyHelloMessage
  | GetPoliciesMessage
  | PoliciesMessage
  | PolicyProposalMessage
  | GetReceiptsMessage
  | ReceiptsMessage;

function bad(message: string, cause?: unknown): GovfedError {
  return new GovfedError(
    'ERR_MALFORMED_SYNC_MESSAGE',
    `policy sync: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function exactKeys(o: Record<string, unknown>, keys: string[], what: string): void {
  const got = Object.keys(o);
  if (got.length !== keys.length || !keys.every((k) => Object.hasOwn(o, k))) {
    throw bad(`${what}: expected exactly the fields ${keys.join(', ')}`);
  }
}

function envelopeOf(v: unknown, payloadType: string, limits: EnvelopeLimits, what: string): Envelope {
  let env: Envelope;
  try {
    env = parseEnvelope(v, limits);
  } catch (cause) {
    throw bad(`${what}: not a well-formed envelope`, cause);
  }
  if (decodeEnvelope(env).payloadType !== payloadType) throw bad(`${what}: payloadType must be ${payloadType}`);
  return env;
}

const bundleEnv = (v: unknown, what: string) => envelopeOf(v, POLICY_PAYLOAD_TYPE, BASELINE_ENVELOPE_LIMITS, what);
const receiptEnv = (v: unknown, what: string) => envelopeOf(v, RECEIPT_PAYLOAD_TYPE, RECEIPT_ENVELOPE_LIMITS, what);

function envelopeList(v: unknown, max: number, one: (e: unknown, what: string) => Envelope, what: string): Envelope[] {
  if (!Array.isArray(v) || v.length > max) throw bad(`${what}: expected at most ${max} envelopes`);
  return v.map((e, i) => one(e, `${what}[${i}]`));
}

/** Checks a policy sync message value (attacker-controlled). Throws ERR_MALFORMED_SYNC_MESSAGE. */
export function checkPolicySyncMessage(v: unknown): PolicySyncMessage {
  if (!isPlainObject(v)) throw bad('expected an object');
  switch (v.type) {
    case 'policy-hello': {
      exactKeys(v, ['type', 'version', 'digest', 'pending'], 'policy-hello');
      if (!isUint(v.version)) throw bad('policy-hello.version: expected an integer >= 0');
      if (v.version === 0 ? v.digest !== null : !isSha256Digest(v.digest)) {
        throw bad('policy-hello.digest: null for version 0, otherwise sha256:<64 hex>');
      }
      if (!Array.isArray(v.pending) || v.pending.length > MAX_PENDING_DIGESTS || !v.pending.every(isSha256Digest)) {
        throw bad(`policy-hello.pending: expected at most ${MAX_PENDING_DIGESTS} sha256 digests`);
      }
      return { type: 'policy-hello', version: v.version, digest: v.digest as string | null, pending: [...v.pending] };
    }
    case 'get-policies':
      exactKeys(v, ['type', 'from'], 'get-policies');
      if (!isUint(v.from) || v.from < 1) throw bad('get-policies.from: expected an integer >= 1');
      return { type: 'get-policies', from: v.from };
    case 'policies':
      exactKeys(v, ['type', 'envelopes'], 'policies');
      return {
        type: 'policies',
        envelopes: envelopeList(v.envelopes, MAX_SYNC_POLICIES, bundleEnv, 'policies.envelopes'),
      };
    case 'policy-proposal':
      exactKeys(v, ['type', 'envelope'], 'policy-proposal');
      return { type: 'policy-proposal', envelope: bundleEnv(v.envelope, 'policy-proposal.envelope') };
    case 'get-receipts':
      exactKeys(v, ['type'], 'get-receipts');
      return { type: 'get-receipts' };
    case 'receipts':
      exactKeys(v, ['type', 'envelopes'], 'receipts');
      return {
        type: 'receipts',
        envelopes: envelopeList(v.envelopes, MAX_SYNC_RECEIPTS, receiptEnv, 'receipts.envelopes'),
      };
    default:
      throw bad('unknown message type');
  }
}

const FRAME = { name: 'policy sync', check: checkPolicySyncMessage, maxBytes: MAX_POLICY_SYNC_BYTES };

/** The frame body of a message (JCS bytes). Throws ERR_MALFORMED_SYNC_MESSAGE above the bound. */
export function encodePolicySyncMessage(msg: PolicySyncMessage): Uint8Array {
  return encodeFrame(FRAME, msg);
}

/** Decodes one frame body (attacker-controlled): bounded, canonical, a known message in normal form. */
export function decodePolicySyncMessage(bytes: Uint8Array, maxBytes = MAX_POLICY_SYNC_BYTES): PolicySyncMessage {
  return decodeFrame(FRAME, bytes, maxBytes);
}

function gossipEnvelope(body: Record<string, unknown>, one: (e: unknown, what: string) => Envelope): Envelope {
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'envelope')
    throw new GovfedError('ERR_MALFORMED_GOSSIP', 'body must be {envelope}');
  try {
    return one(body.envelope, 'body.envelope');
  } catch (cause) {
    throw new GovfedError('ERR_MALFORMED_GOSSIP', 'body.envelope is not a well-formed envelope of this kind', {
      cause,
    });
  }
}

/** The bundle envelope in a `policy` gossip body (attacker-controlled). Throws ERR_MALFORMED_GOSSIP. */
export function policyFromGossipBody(body: Record<string, unknown>): Envelope {
  return gossipEnvelope(body, bundleEnv);
}

/** The receipt envelope in a `policy-receipt` gossip body (attacker-controlled). Throws ERR_MALFORMED_GOSSIP. */
export function receiptFromGossipBody(body: Record<string, unknown>): Envelope {
  return gossipEnvelope(body, receiptEnv);
}
