/**
 * Charter freshness (issue 12): the TUF timestamp idea without a central timestamp role. Charters do not
 * expire, so a node that peers hide newer versions from (an eclipse) would hold an old charter for ever
 * without knowing it. Instead every member periodically signs a short-lived statement of the charter
 * version it holds:
 *
 *   { "type": "govfed.charter-freshness/v1", "federationId", "org", "peerId", "version",
 *     "digest": "sha256:<hex>", "issuedAt", "expiresAt", "revocations": {"count", "digest"}? }
 *
 * `revocations` (optional) is the kill-switch state the member holds (protocol/registry/
 * revocation-freshness.ts): the same short-lived statement protects the kill switch against freezes.
 *
 * JCS bytes, DSSE payloadType FRESHNESS_PAYLOAD_TYPE, exactly one signature: by the peer it names.
 * `expiresAt − issuedAt` is at most MAX_FRESHNESS_LIFETIME_MS.
 *
 * A node is *fresh* when, right now, a majority — floor(n/2)+1 of the n members of its charter, itself
 * included (its own statement is fresh by construction) — has an unexpired statement naming its head
 * version AND digest (judgeFreshness). A statement naming another digest for that version (a fork, or a
 * lie) or an older version does not count; one naming a newer version does not count either and marks
 * the node `behind` (it should pull from that member). A single-member federation is always fresh.
 * One member claiming a newer version cannot by itself make a node stale: only the lack of a majority
 * confirming its head does — so a lying member cannot hold an honest majority's nodes stale.
 */
import { isPlainObject, isRfc3339Utc, isSha256Digest, isUint } from '../audit/fields.ts';
import { parseCanonicalFrame } from '../canonical/frame.ts';
import { canonicalBytes, parseCanonical } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { decodeEnvelope, type EnvelopeLimits, parseEnvelope } from '../dsse/index.ts';
import { GovfedError, isGovfedError } from '../errors.ts';
import { checkRevocationState, type RevocationState } from '../registry/revocation-freshness.ts';
import { type Charter, isFederationId, ORG_PATTERN } from './charter.ts';
import { type Envelope, signAsPeer, verifyPeerSigned } from './envelope.ts';
import { isPeerId, peerIdFromSeed } from './peer-id.ts';

export const FRESHNESS_TYPE = 'govfed.charter-freshness/v1';
export const FRESHNESS_PAYLOAD_TYPE = 'application/vnd.govfed.charter-freshness+json';
/** Largest statement payload (canonical JSON). */
export const MAX_FRESHNESS_BYTES = 2048;
export const FRESHNESS_ENVELOPE_LIMITS: Required<EnvelopeLimits> = { maxBytes: 8 * 1024, maxSignatures: 1 };
/** Longest lifetime a statement may claim (expiresAt − issuedAt): statements are short-lived by design. */
export const MAX_FRESHNESS_LIFETIME_MS = 60 * 60_000;
/** Default tolerance between the signer's clock and ours. */
export const DEFAULT_FRESHNESS_SKEW_MS = 30_000;

export interface FreshnessStatement {
  type: typeof FRESHNESS_TYPE;
  federationId: string;
  org: string;
  peerId: string;
  version: number;
  digest: string;
  issuedAt: string;
  expiresAt: string;
  /** The kill-switch state the member holds (absent: it keeps no registry). */
  revocations?: RevocationState;
}

const OPTIONAL_FIELDS = ['revocations'];
const FIELDS = ['type', 'federationId', 'org', 'peerId', 'version', 'digest', 'issuedAt', 'expiresAt'];
const ORG_RE = new RegExp(ORG_PATTERN);

function malformed(message: string, cause?: unknown): GovfedError {
  return new GovfedError(
    'ERR_MALFORMED_FRESHNESS',
    `freshness statement: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Checks a statement value (attacker-controlled): exact fields, their syntax, and the lifetime bound
 * (0 < expiresAt − issuedAt ≤ MAX_FRESHNESS_LIFETIME_MS). Returns a fresh copy. Throws ERR_MALFORMED_FRESHNESS.
 */
export function checkFreshness(value: unknown): FreshnessStatement {
  if (!isPlainObject(value)) throw malformed('expected an object');
  for (const k of FIELDS) if (!Object.hasOwn(value, k)) throw malformed(`missing "${k}"`);
  for (const k of Object.keys(value)) {
    if (!FIELDS.includes(k) && !OPTIONAL_FIELDS.includes(k)) throw malformed(`unknown field "${k}"`);
  }
  const v = value;
  if (v.type !== FRESHNESS_TYPE) throw malformed(`type: expected "${FRESHNESS_TYPE}"`);
  if (!isFederationId(v.federationId)) throw malformed('federationId: expected 64 lowercase hex');
  if (typeof v.org !== 'string' || !ORG_RE.test(v.org)) throw malformed(`org: expected ${ORG_PATTERN}`);
  if (!isPeerId(v.peerId)) throw malformed('peerId: not an Ed25519 libp2p peer id');
  if (!isUint(v.version) || v.version < 1) throw malformed('version: expected an integer >= 1');
  if (!isSha256Digest(v.digest)) throw malformed('digest: expected sha256:<64 hex>');
  if (!isRfc3339Utc(v.issuedAt)) throw malformed('issuedAt: expected an RFC 3339 UTC timestamp');
  if (!isRfc3339Utc(v.expiresAt)) throw malformed('expiresAt: expected an RFC 3339 UTC timestamp');
  const life = Date.parse(v.expiresAt) - Date.parse(v.issuedAt);
  if (!(life > 0)) throw malformed('expiresAt must be after issuedAt');
  if (life > MAX_FRESHNESS_LIFETIME_MS) {
    throw malformed(`lifetime ${life} ms is over the maximum ${MAX_FRESHNESS_LIFETIME_MS} ms`);
  }
  return {
    type: FRESHNESS_TYPE,
    federationId: v.federationId,
    org: v.org,
    peerId: v.peerId,
    version: v.version,
    digest: v.digest,
    issuedAt: v.issuedAt,
    expiresAt: v.expiresAt,
    ...(v.revocations === undefined ? {} : { revocations: checkRevocationState(v.revocations) }),
  };
}

export function encodeFreshness(s: FreshnessStatement): Uint8Array {
  return canonicalBytes(checkFreshness(s));
}

/** Parses statement bytes (attacker-controlled): bounded canonical JSON, then checkFreshness. */
export function decodeFreshness(bytes: Uint8Array): FreshnessStatement {
  let value: unknown;
  try {
    value = parseCanonical(bytes, MAX_FRESHNESS_BYTES);
  } catch (cause) {
    if (isGovfedError(cause, 'ERR_NOT_CANONICAL')) throw cause;
    throw malformed('not bounded canonical JSON', cause);
  }
  return checkFreshness(value);
}

/** Signs a statement as its own peer (the seed must be the key of `s.peerId`: ERR_INVALID_INPUT otherwise). */
export function signFreshness(s: FreshnessStatement, seed: Uint8Array): Envelope {
  if (peerIdFromSeed(seed) !== s.peerId) {
    throw new GovfedError('ERR_INVALID_INPUT', 'a freshness statement is signed by its peerId');
  }
  return signAsPeer(FRESHNESS_PAYLOAD_TYPE, encodeFreshness(s), seed);
}

/** The statement inside an envelope (attacker-controlled), checked for shape only — NOT its signature. */
export function freshnessOf(env: unknown): FreshnessStatement {
  const d = decodeEnvelope(parseEnvelope(env, FRESHNESS_ENVELOPE_LIMITS));
  if (d.payloadType !== FRESHNESS_PAYLOAD_TYPE) {
    throw new GovfedError('ERR_PAYLOAD_TYPE_MISMATCH', `payloadType must be ${FRESHNESS_PAYLOAD_TYPE}`);
  }
  return decodeFreshness(d.payload);
}

/** The verifier's view of its charter chain: its id, current charter, and the versions it holds. */
export interface FreshnessChainView {
  readonly federationId: string;
  readonly current: Charter;
  entry(version: number): { charter: Charter } | undefined;
}

export interface VerifyFreshnessOptions extends VerifyOptions {
  /** The verifier's clock, ms since the epoch. */
  now: number;
  /** Tolerated clock difference (default DEFAULT_FRESHNESS_SKEW_MS). */
  skewMs?: number;
}

/**
 * Verifies a statement envelope (attacker-controlled) for the verifier's chain, at `now`:
 *   1. well-formed envelope, statement payload, fields and lifetime bound   (ERR_MALFORMED_ENVELOPE,
 *                                            ERR_PAYLOAD_TYPE_MISMATCH, ERR_NOT_CANONICAL, ERR_MALFORMED_FRESHNESS)
 *   2. of the verifier's federation                                         (ERR_FEDERATION_MISMATCH)
 *   3. the org/peerId it names is a member of the charter version it names
 *      (when the verifier holds it) or of the verifier's current charter   (ERR_UNKNOWN_SIGNER)
 *   4. signed by exactly that peer, and the signature verifies              (ERR_UNKNOWN_SIGNER, ERR_BAD_SIGNATURE)
 *   5. not issued in the future: issuedAt ≤ now + skew                      (ERR_CLOCK_SKEW)
 *   6. not expired: expiresAt > now − skew                                  (ERR_FRESHNESS_EXPIRED)
 * Whether the version and digest it names are the verifier's head is not checked here: a valid
 * statement of another version is what judgeFreshness weighs (behind, fork, lagging member).
 */
export function verifyFreshness(
  env: Envelope,
  chain: FreshnessChainView,
  opts: VerifyFreshnessOptions,
): FreshnessStatement {
  const s = freshnessOf(env);
  if (s.federationId !== chain.federationId) {
    throw new GovfedError('ERR_FEDERATION_MISMATCH', `freshness statement of federation ${s.federationId}`);
  }
  const named = chain.entry(s.version)?.charter;
  const isIn = (c: Charter | undefined) => c?.members.some((m) => m.peerId === s.peerId && m.org === s.org) === true;
  if (!isIn(named) && !isIn(chain.current)) {
    throw new GovfedError('ERR_UNKNOWN_SIGNER', `freshness statement names ${s.org}/${s.peerId}, not a member`);
  }
  verifyPeerSigned(env, {
    payloadType: FRESHNESS_PAYLOAD_TYPE,
    allowed: new Set([s.peerId]),
    limits: FRESHNESS_ENVELOPE_LIMITS,
    verify: opts.verify,
  });
  const skew = opts.skewMs ?? DEFAULT_FRESHNESS_SKEW_MS;
  if (Date.parse(s.issuedAt) > opts.now + skew) {
    throw new GovfedError('ERR_CLOCK_SKEW', `freshness statement issued in the future (${s.issuedAt})`);
  }
  if (Date.parse(s.expiresAt) <= opts.now - skew) {
    throw new GovfedError('ERR_FRESHNESS_EXPIRED', `freshness statement expired at ${s.expiresAt}`);
  }
  return s;
}

/** A node's head: the charter version it holds and that version's digest. */
export interface CharterHead {
  version: number;
  digest: string;
}

export interface FreshnessJudgement {
  /** A majority of the current members (this node included) confirms this node's head right now. */
  fresh: boolean;
  /** Members whose unexpired statement names this head (this node counted when it is a member). */
  freshFrom: number;
  /** floor(n/2)+1 of the n current members. */
  needed: number;
  /** The newest version any unexpired statement of a member names (at least the head's). */
  newestSeen: number;
  /** Some member states a newer version than the head: this node should sync from it. */
  behind: boolean;
  /**
   * When fresh: the time (ms) at which it stops being so unless new statements come — when the
   * confirmations it rests on expire (Infinity when they never do: this node alone is a majority).
   * 0 when not fresh.
   */
  freshUntil: number;
  /** Why, in words. */
  reason: string;
}

/** floor(n/2)+1: more than half of n members. */
export function freshnessMajority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/**
 * The pure judgement: given this node's head, the current members' peer ids, this node's peer id, the
 * latest verified statement per member and the time, is the node fresh? See the file comment.
 */
export function judgeFreshness(input: {
  head: CharterHead;
  members: readonly string[];
  self: string;
  statements: Iterable<FreshnessStatement>;
  now: number;
}): FreshnessJudgement {
  const { head, now } = input;
  const members = new Set(input.members);
  const needed = freshnessMajority(members.size);
  const selfCounts = members.has(input.self) ? 1 : 0;
  // The expiry of each other member's confirmation (its latest one, should there be several).
  const confirming = new Map<string, number>();
  let newestSeen = head.version;
  for (const s of input.statements) {
    const expires = Date.parse(s.expiresAt);
    if (!members.has(s.peerId) || s.peerId === input.self || !(expires > now)) continue;
    if (s.version > newestSeen) newestSeen = s.version;
    if (s.version === head.version && s.digest === head.digest) {
      confirming.set(s.peerId, Math.max(expires, confirming.get(s.peerId) ?? 0));
    }
  }
  const freshFrom = selfCounts + confirming.size;
  const behind = newestSeen > head.version;
  const fresh = freshFrom >= needed;
  // Fresh until the (needed − self)-th latest confirmation expires.
  const others = needed - selfCounts;
  const expiries = [...confirming.values()].sort((a, b) => b - a);
  const freshUntil = !fresh ? 0 : others <= 0 ? Number.POSITIVE_INFINITY : (expiries[others - 1] as number);
  let reason: string;
  if (members.size === 1 && fresh) reason = 'single-member federation';
  else if (fresh) reason = `${freshFrom} of ${members.size} members confirm charter version ${head.version}`;
  else
    reason = `only ${freshFrom} of ${members.size} members confirm charter version ${head.version} (${needed} needed)`;
  if (behind) reason += `; a member states version ${newestSeen}: syncing`;
  return { fresh, freshFrom, needed, newestSeen, behind, freshUntil, reason };
}

/**
 * `/govfed/freshness/1.0.0`: a member asks another for its current statement (a restarted node gets
 * fresh statements at its first sync round instead of waiting for the next gossip). One frame each way,
 * JCS:  request {"type":"get-freshness"};  response {"type":"freshness"} or {"type":"freshness",
 * "envelope": <statement envelope>} (none while the responder is not a member).
 */
export const FRESHNESS_PROTOCOL = '/govfed/freshness/1.0.0';
/** Largest response frame: one statement envelope and its wrapper. */
export const MAX_FRESHNESS_FRAME = 16 * 1024;

export function encodeFreshnessRequest(): Uint8Array {
  return canonicalBytes({ type: 'get-freshness' });
}

/** Checks a request frame (attacker-controlled). Throws ERR_MALFORMED_FRESHNESS or ERR_NOT_CANONICAL. */
export function decodeFreshnessRequest(bytes: Uint8Array): void {
  const v = parseCanonicalFrame(bytes, 64, malformed);
  if (Object.keys(v).length !== 1 || v.type !== 'get-freshness')
    throw malformed('request must be {type: get-freshness}');
}

export function encodeFreshnessResponse(env: Envelope | undefined): Uint8Array {
  return canonicalBytes(env === undefined ? { type: 'freshness' } : { type: 'freshness', envelope: env });
}

/**
 * The statement envelope in a response frame (attacker-controlled), or undefined when it holds none;
 * the envelope is checked for shape only (verifyFreshness does the rest).
 */
export function decodeFreshnessResponse(bytes: Uint8Array): Envelope | undefined {
  const v = parseCanonicalFrame(bytes, MAX_FRESHNESS_FRAME, malformed);
  const keys = Object.keys(v);
  if (v.type !== 'freshness' || keys.some((k) => k !== 'type' && k !== 'envelope')) {
    throw malformed('response must be {type: freshness, envelope?}');
  }
  if (v.envelope === undefined) return undefined;
  try {
    return parseEnvelope(v.envelope, FRESHNESS_ENVELOPE_LIMITS);
  } catch (cause) {
    throw malformed('response envelope is not a well-formed envelope', cause);
  }
}
