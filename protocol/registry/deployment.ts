/**
 * A deployment record: an org's node says it deploys, undeploys, or refused to deploy a model version —
 * signed by the org's node with its libp2p peer key (the key the charter lists for the org), like the
 * roster:
 *
 *   DSSE envelope { payloadType: "application/vnd.govfed.deployment+json",
 *                   payload: base64(JCS({ "type": "govfed.deployment/v1", "federation", "org", "seq",
 *                                         "previous": "sha256:<hex>" | null,
 *                                         "model": {"org","name","version"}, "digest": "sha256:<hex>",
 *                                         "action": "deploy" | "undeploy" | "refused", "shadow": <bool>,
 *                                         "contract": "sha256:<hex>"?, "reasons": ["…"]?, "time" })),
 *                   signatures: [{ keyid: <the org's peer id>, sig }] }
 *
 * One org's records form a chain: seq 1 has `previous` null, seq n + 1 names record n by
 * `deploymentDigest`. `contract` is the contract version in force when deployed; `reasons` says why a
 * deployment was refused (and only then). The latest deploy/undeploy of a version by an org says whether
 * that org runs it (docs/contracts.md "Deployments").
 *
 * verifyDeployment (attacker-controlled input) is a checklist:
 *   1. envelope  a DSSE envelope, the deployment payload type, one signature,  ERR_MALFORMED_ENVELOPE, ERR_PAYLOAD_TYPE_MISMATCH,
 *                canonical JSON naming an org (read, not believed: it says     ERR_MALFORMED_DEPLOYMENT
 *                whose peer key must have signed)
 *   2. signer    the keyid is the peer id the charter lists for that org       ERR_UNKNOWN_SIGNER
 *   3. sig       verifies under that peer key                                  ERR_BAD_SIGNATURE
 *   4. payload   exact fields, bounds, chain fields, reasons iff refused       ERR_MALFORMED_DEPLOYMENT
 *   5. context   this federation                                               ERR_DEPLOYMENT_MISMATCH
 * Its place in the org's chain is deploymentFollows' (the caller holds the chain).
 */
import { isPlainObject, isRfc3339Utc, isSha256Digest, isText } from '../audit/fields.ts';
import { canonicalBytes, parseCanonical } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/sha256.ts';
import { decodeEnvelope, type Envelope, parseEnvelope } from '../dsse/index.ts';
import { toHex } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { signAsPeer, verifyPeerSigned } from '../federation/envelope.ts';
import type { ModelRef } from './approval.ts';
import { checkModelRef, MODEL_ORG_RE } from './model-ref.ts';

export const DEPLOYMENT_TYPE = 'govfed.deployment/v1';
export const DEPLOYMENT_PAYLOAD_TYPE = 'application/vnd.govfed.deployment+json';
export const MAX_DEPLOYMENT_REASONS = 32;
export const MAX_DEPLOYMENT_REASON_CHARS = 512;
/**
 * The most canonical bytes of a record: above the largest well-formed one (32 reasons of 512 UTF-16 code
 * units, at most 3 UTF-8 bytes each — no control characters — is 48 KiB; the other fields under 1 KiB),
 * so every record signDeployment makes verifies.
 */
export const MAX_DEPLOYMENT_BYTES = 64 * 1024;
/** The most bytes of its envelope: the payload in base64 (4/3) plus the envelope's own fields. */
export const MAX_DEPLOYMENT_ENVELOPE = 128 * 1024;
const ENVELOPE_LIMITS = { maxBytes: MAX_DEPLOYMENT_ENVELOPE, maxSignatures: 1 };
export const DEPLOYMENT_ACTIONS = ['deploy', 'undeploy', 'refused'] as const;
export type DeploymentAction = (typeof DEPLOYMENT_ACTIONS)[number];
const HEX64 = /^[0-9a-f]{64}$/;
const FIELDS = ['type', 'federation', 'org', 'seq', 'previous', 'model', 'digest', 'action', 'shadow', 'time'];
const OPTIONAL = ['contract', 'reasons'];

export interface Deployment {
  type: typeof DEPLOYMENT_TYPE;
  federation: string;
  /** The deploying org. */
  org: string;
  seq: number;
  previous: string | null;
  model: ModelRef;
  digest: string;
  action: DeploymentAction;
  shadow: boolean;
  contract?: string;
  reasons?: string[];
  time: string;
}

function bad(message: string, cause?: unknown): GovfedError {
  return new GovfedError(
    'ERR_MALFORMED_DEPLOYMENT',
    `deployment: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Checks a record's shape (attacker-controlled). Returns a fresh copy; throws ERR_MALFORMED_DEPLOYMENT. */
export function checkDeployment(v: unknown): Deployment {
  if (!isPlainObject(v)) throw bad('expected an object');
  for (const k of FIELDS) if (!(k in v)) throw bad(`missing "${k}"`);
  for (const k of Object.keys(v)) if (!FIELDS.includes(k) && !OPTIONAL.includes(k)) throw bad(`unknown field "${k}"`);
  if (v.type !== DEPLOYMENT_TYPE) throw bad(`type: expected "${DEPLOYMENT_TYPE}"`);
  if (typeof v.federation !== 'string' || !HEX64.test(v.federation)) throw bad('federation: expected a federation id');
  if (typeof v.org !== 'string' || !MODEL_ORG_RE.test(v.org)) throw bad('org: expected an org name');
  if (typeof v.seq !== 'number' || !Number.isSafeInteger(v.seq) || v.seq < 1) throw bad('seq: expected an integer ≥ 1');
  if (v.seq === 1 ? v.previous !== null : !isSha256Digest(v.previous)) {
    throw bad('previous: null for seq 1, else sha256:<hex> of the record before');
  }
  const m = checkModelRef(v.model, bad);
  if (!isSha256Digest(v.digest)) throw bad('digest: expected sha256:<hex>');
  const action = DEPLOYMENT_ACTIONS.find((a) => a === v.action);
  if (action === undefined) throw bad(`action: expected one of ${DEPLOYMENT_ACTIONS.join(', ')}`);
  if (typeof v.shadow !== 'boolean') throw bad('shadow: expected true or false');
  if (!isRfc3339Utc(v.time)) throw bad('time: expected RFC 3339 UTC');
  const d: Deployment = {
    type: DEPLOYMENT_TYPE,
    federation: v.federation,
    org: v.org,
    seq: v.seq,
    previous: v.previous as string | null,
    model: { org: m.org, name: m.name, version: m.version },
    digest: v.digest,
    action,
    shadow: v.shadow,
    time: v.time,
  };
  if (v.contract !== undefined) {
    if (!isSha256Digest(v.contract)) throw bad('contract: expected sha256:<hex>');
    d.contract = v.contract;
  }
  if (action === 'refused') {
    const r = v.reasons;
    if (
      !Array.isArray(r) ||
      r.length < 1 ||
      r.length > MAX_DEPLOYMENT_REASONS ||
      !r.every((x) => isText(x, MAX_DEPLOYMENT_REASON_CHARS))
    ) {
      throw bad(
        `reasons: a refusal gives 1..${MAX_DEPLOYMENT_REASONS} reasons of 1..${MAX_DEPLOYMENT_REASON_CHARS} characters`,
      );
    }
    d.reasons = [...(r as string[])];
  } else if (v.reasons !== undefined) throw bad('reasons: only a refusal gives reasons');
  return d;
}

/** `sha256:` + hex SHA-256 of the record's JCS bytes: what the next record's `previous` names. */
export function deploymentDigest(d: Deployment): string {
  return `sha256:${toHex(sha256(canonicalBytes(checkDeployment(d))))}`;
}

/**
 * Signs a record as the deploying org's node (its peer key seed). Throws ERR_MALFORMED_DEPLOYMENT for a
 * record checkDeployment refuses.
 */
export function signDeployment(d: Omit<Deployment, 'type'>, peerSeed: Uint8Array): Envelope {
  const bytes = canonicalBytes(checkDeployment({ type: DEPLOYMENT_TYPE, ...d }));
  if (bytes.length > MAX_DEPLOYMENT_BYTES) throw bad(`more than ${MAX_DEPLOYMENT_BYTES} bytes`);
  return signAsPeer(DEPLOYMENT_PAYLOAD_TYPE, bytes, peerSeed);
}

/** The payload of a deployment envelope as parsed canonical JSON (attacker-controlled; step 1). */
function payloadOf(env: Envelope): unknown {
  const d = decodeEnvelope(env);
  if (d.payloadType !== DEPLOYMENT_PAYLOAD_TYPE) {
    throw new GovfedError('ERR_PAYLOAD_TYPE_MISMATCH', `payloadType must be ${DEPLOYMENT_PAYLOAD_TYPE}`);
  }
  try {
    return parseCanonical(d.payload, MAX_DEPLOYMENT_BYTES);
  } catch (cause) {
    throw bad('payload is not canonical JSON', cause);
  }
}

/**
 * The record inside an envelope, shape-checked only (NOT verified): to learn which org's node must have
 * signed it (then verifyDeployment). Throws ERR_MALFORMED_DEPLOYMENT, ERR_PAYLOAD_TYPE_MISMATCH.
 */
export function claimedDeployment(value: unknown): Deployment {
  return checkDeployment(payloadOf(parseEnvelope(value, ENVELOPE_LIMITS)));
}

/**
 * Verifies a deployment envelope (attacker-controlled) for this federation, whose charter lists each
 * member org's node peer id (`peerIdOf`): the checklist at the top. Returns the record.
 */
export function verifyDeployment(
  value: unknown,
  ctx: { federation: string; peerIdOf(org: string): string | undefined },
  opts: VerifyOptions = {},
): Deployment {
  // 1.
  const env = parseEnvelope(value, ENVELOPE_LIMITS);
  if (env.signatures.length !== 1) throw bad('expected exactly one signature (the org node)');
  const payload = payloadOf(env);
  const org = isPlainObject(payload) ? payload.org : undefined;
  if (typeof org !== 'string' || !MODEL_ORG_RE.test(org)) throw bad('org: expected an org name');
  // 2.–3.
  const peer = ctx.peerIdOf(org);
  if (peer === undefined) throw new GovfedError('ERR_UNKNOWN_SIGNER', `deployment: ${org} is not a member`);
  verifyPeerSigned(env, {
    payloadType: DEPLOYMENT_PAYLOAD_TYPE,
    allowed: new Set([peer]),
    limits: ENVELOPE_LIMITS,
    ...opts,
  });
  // 4.
  const d = checkDeployment(payload);
  // 5.
  if (d.federation !== ctx.federation) {
    throw new GovfedError('ERR_DEPLOYMENT_MISMATCH', 'deployment: made for another federation');
  }
  return d;
}

/**
 * Where a verified record goes in its org's chain (`held`: that org's records, seq 1 first, no gaps):
 *   'next' the next seq naming the newest held; 'held' this exact record is held; 'later' further ahead.
 * ERR_DEPLOYMENT_MISMATCH for another record at a held seq, or a `previous` that is not the newest held.
 */
export function deploymentFollows(
  d: Deployment,
  held: readonly { seq: number; digest: string }[],
): 'next' | 'held' | 'later' {
  const digest = deploymentDigest(d);
  const at = held[d.seq - 1];
  if (at !== undefined) {
    if (at.digest === digest) return 'held';
    throw new GovfedError('ERR_DEPLOYMENT_MISMATCH', `deployment: ${d.org} signed two records with seq ${d.seq}`);
  }
  if (d.seq > held.length + 1) return 'later';
  const prev = held[held.length - 1];
  if ((prev?.digest ?? null) !== d.previous) {
    throw new GovfedError(
      'ERR_DEPLOYMENT_MISMATCH',
      `deployment: seq ${d.seq} of ${d.org} does not follow seq ${held.length}`,
    );
  }
  return 'next';
}
