/**
 * Signing charters and tracking pending charter changes (proposals).
 *
 * A signed charter is a DSSE envelope, payloadType `application/vnd.govfed.charter+json`, payload the
 * charter's canonical bytes, one signature per signer with keyid = the signer's peer id (see
 * envelope.ts). A proposal is the same envelope before it has enough signatures: members add theirs
 * (addSignature), copies are merged (mergeSignatures), and proposalStatus says what is still missing.
 *
 * Who must sign version n+1, given version n (`prev`):
 *   - rule `admission`: the change only adds members — every member entry of n is in n+1 byte for byte
 *     (JCS of the whole member object, so a field added to members later is covered without a change
 *     here), every other field of the charter is unchanged (JCS again: name, thresholds, …), and at
 *     least one new member. Needs prev.thresholds.admission signatures of n's members.
 *   - rule `removal`: the change only removes members — every remaining member entry is in n+1 byte
 *     for byte, at least one member of n is gone, the thresholds are n's lowered only as far as the new
 *     member count needs (clampThresholds: charter to the count, admission to charter), every other field
 *     unchanged. Needs prev.thresholds.admission signatures of n's members — or the signatures of every
 *     removed member (leaving: nobody is held in a federation against its will; the count then is the
 *     number of removed members, who all signed).
 *   - rule `charter`: any other change (removals with other changes, threshold or name changes, any change to a member's
 *     entry — its log key, witness key, jurisdiction, org —, or adding members together with any of
 *     these). Needs prev.thresholds.charter.
 *   - in both, every peer id that is in n+1 but not in n ("added", which includes a member's rotated
 *     peer key) must sign: proof that it holds its key and consents. These signatures do not count
 *     towards the threshold.
 *   - a member of n whose entry changes ("changed": a new log key, witness key, jurisdiction or org —
 *     or a new peer id: its org listed under another peer id) must sign too, with the key n lists:
 *     nobody's keys are replaced without their consent. That signature does count towards the
 *     threshold (it is a member of n).
 *   - rule `genesis` (prev is null): every founding member must sign.
 *   - `version`, `previous`, `createdAt` and `expiresAt` always change (or may) and never decide the rule.
 * A change may carry a deadline (`expiresAt`, inside the signed charter): checkNotExpired refuses to
 * sign it, merge it or take it as a new version after that time (ERR_PROPOSAL_EXPIRED).
 * Every signature present must be by one of n's members or an added peer and must verify; anything
 * else makes the envelope invalid (ERR_UNKNOWN_SIGNER, ERR_BAD_SIGNATURE), never silently ignored.
 */
import { canonicalBytes } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import type { EnvelopeLimits } from '../dsse/index.ts';
import { decodeEnvelope, parseEnvelope } from '../dsse/index.ts';
import { equalBytes } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import {
  CHARTER_PAYLOAD_TYPE,
  type Charter,
  charterDigest,
  clampThresholds,
  decodeCharter,
  encodeCharter,
  MAX_CHARTER_BYTES,
  MAX_MEMBERS,
  type Member,
} from './charter.ts';
import { type Envelope, mergePeerSignatures, signAsPeer, verifyPeerSigned } from './envelope.ts';

/** Bounds for charter envelopes off the wire: a maximal charter in base64 plus a signature per key. */
export const CHARTER_ENVELOPE_LIMITS: Required<EnvelopeLimits> = {
  maxBytes: 2 * MAX_CHARTER_BYTES + 64 * 1024,
  maxSignatures: 2 * MAX_MEMBERS,
};

export type ChangeRule = 'genesis' | 'admission' | 'removal' | 'charter';

/** The signed envelope of `charter` with one signature, by the peer whose key has this seed. */
export function signCharter(charter: Charter, seed: Uint8Array): Envelope {
  return signAsPeer(CHARTER_PAYLOAD_TYPE, encodeCharter(charter), seed);
}

/**
 * The charter inside an envelope, checked for shape only — NOT for signatures. For display and for
 * deciding what to verify it against; trust it only through proposalStatus / verifyNext / verifyGenesis.
 */
export function charterOf(env: Envelope): Charter {
  const d = decodeEnvelope(parseEnvelope(env, CHARTER_ENVELOPE_LIMITS));
  if (d.payloadType !== CHARTER_PAYLOAD_TYPE) {
    throw new GovfedError('ERR_PAYLOAD_TYPE_MISMATCH', `payloadType must be ${CHARTER_PAYLOAD_TYPE}`);
  }
  return decodeCharter(d.payload);
}

/**
 * Adds (or re-makes) the signature of the peer whose key has this seed. The payload is decoded as a
 * charter first, so a node never signs bytes that are not a charter. Invalid signatures already on the
 * envelope are dropped (see mergeSignatures).
 */
export function addSignature(env: Envelope, seed: Uint8Array, opts: VerifyOptions = {}): Envelope {
  return mergeSignatures(env, signCharter(charterOf(env), seed), opts);
}

/**
 * Union of the valid signatures of two copies of the same proposal, sorted by keyid (peer id), one
 * per peer. Throws ERR_PAYLOAD_MISMATCH for different charters, ERR_PAYLOAD_TYPE_MISMATCH for a
 * non-charter envelope, ERR_BAD_SIGNATURE when neither copy has a valid signature. Membership is not
 * checked here: proposalStatus does that against the previous version.
 */
export function mergeSignatures(a: Envelope, b: Envelope, opts: VerifyOptions = {}): Envelope {
  charterOf(a);
  return mergePeerSignatures(a, b, CHARTER_ENVELOPE_LIMITS, opts);
}

/** Fields that every version changes (or may) and that never decide the rule. */
const VOLATILE_FIELDS = ['version', 'previous', 'createdAt', 'expiresAt'] as const;

/** The JCS bytes of `c` without its volatile fields, its member list replaced by `members`. */
function ruleBytes(c: Charter, members: readonly Member[]): Uint8Array {
  const rest: Record<string, unknown> = { ...c, members };
  for (const k of VOLATILE_FIELDS) delete rest[k];
  return canonicalBytes(rest);
}

/**
 * Whether two member entries are the same value (their JCS bytes equal). Entries checked by checkMember
 * are plain JSON values, so equal JSON.stringify texts (same keys in the same order, same values) mean
 * equal values; only texts that differ (another value, or another key order) are compared as JCS.
 */
function sameMember(a: Member, b: Member): boolean {
  return JSON.stringify(a) === JSON.stringify(b) || equalBytes(canonicalBytes(a), canonicalBytes(b));
}

/**
 * Peer ids of prev's members whose entry in `next` differs from theirs in `prev` (compared as JCS of
 * the whole member object), or whose org `next` seats under another peer id (a rotated peer key),
 * sorted. Members that left are not listed (they are removals).
 */
export function changedMembers(prev: Charter, next: Charter): string[] {
  const after = new Map(next.members.map((m) => [m.peerId, m]));
  const orgs = new Map(next.members.map((m) => [m.org, m.peerId]));
  const out: string[] = [];
  for (const m of prev.members) {
    const n = after.get(m.peerId);
    if (n !== undefined && !sameMember(m, n)) out.push(m.peerId);
    // Its org's seat under another peer id (a rotated peer key): the old key must consent too, or any
    // charter-threshold change could hand a member's seat to a key its org does not hold.
    const seat = orgs.get(m.org);
    if (n === undefined && seat !== undefined && seat !== m.peerId) out.push(m.peerId);
  }
  return out.sort();
}

/** Which rule governs the change prev → next (see the comment at the top). */
export function changeRule(prev: Charter | null, next: Charter): ChangeRule {
  if (prev === null) return 'genesis';
  if (next.members.length < prev.members.length) return isRemoval(prev, next) ? 'removal' : 'charter';
  if (next.members.length === prev.members.length) return 'charter';
  // Every member of prev kept byte for byte, and nothing else but the member list changed: next with
  // only prev's peer ids (members are sorted by org in both) must equal prev, volatile fields aside.
  const before = new Set(prev.members.map((m) => m.peerId));
  const kept = next.members.filter((m) => before.has(m.peerId));
  return equalBytes(ruleBytes(prev, prev.members), ruleBytes(next, kept)) ? 'admission' : 'charter';
}

/**
 * The removal rule: next's members are prev's members byte for byte minus at least one, its thresholds
 * are prev's clamped to the new count, and nothing else differs (volatile fields aside).
 */
function isRemoval(prev: Charter, next: Charter): boolean {
  const kept = new Map(prev.members.map((m) => [m.peerId, m]));
  for (const m of next.members) {
    const was = kept.get(m.peerId);
    if (was === undefined || !sameMember(was, m)) return false;
  }
  // With the clamped thresholds put in prev and the same member list, nothing else may differ.
  const thresholds = clampThresholds(prev.thresholds, next.members.length);
  return equalBytes(ruleBytes({ ...prev, thresholds }, next.members), ruleBytes(next, next.members));
}

/** Peer ids of prev's members that `next` no longer lists, sorted. */
export function removedMembers(prev: Charter, next: Charter): string[] {
  const after = new Set(next.members.map((m) => m.peerId));
  return prev.members
    .map((m) => m.peerId)
    .filter((p) => !after.has(p))
    .sort();
}

/**
 * Throws ERR_PROPOSAL_EXPIRED when `charter` carries a deadline (`expiresAt`) that is not after
 * `nowMs` − `skewMs` (the tolerated clock difference between nodes). A charter without one passes.
 */
export function checkNotExpired(charter: Charter, nowMs: number, skewMs = 0): void {
  if (charter.expiresAt === undefined) return;
  if (!(Date.parse(charter.expiresAt) + skewMs > nowMs)) {
    throw new GovfedError(
      'ERR_PROPOSAL_EXPIRED',
      `charter change to version ${charter.version} expired at ${charter.expiresAt}`,
    );
  }
}

export interface ProposalStatus {
  /** The proposed version (shape-checked, linked to prev; signatures checked as listed below). */
  charter: Charter;
  /** charterDigest(charter). */
  digest: string;
  rule: ChangeRule;
  /** Signatures of prev's members needed (genesis: of all founders). */
  required: number;
  /** Every signer, all verified: prev's members and added peers, sorted. */
  signedBy: string[];
  /** How many of signedBy count towards `required`. */
  memberSignatures: number;
  /** Peer ids in this version that were not in prev (genesis: all founders), sorted. */
  added: string[];
  /** Added peer ids that have not signed yet, sorted. */
  missingNewMembers: string[];
  /** Peer ids of prev's members this version no longer lists, sorted. */
  removed: string[];
  /** Peer ids of prev's members whose entry this version changes (keys, jurisdiction, org), sorted. */
  changed: string[];
  /** Changed members that have not signed yet, sorted. */
  missingChangedMembers: string[];
  /** memberSignatures >= required and nobody added or changed is missing. */
  complete: boolean;
}

/** How many signatures of prev's members the change needs (see the rules at the top). */
function requiredSignatures(
  prev: Charter | null,
  next: Charter,
  rule: ChangeRule,
  removed: readonly string[],
  signed: ReadonlySet<string>,
): number {
  if (prev === null) return next.members.length;
  if (rule === 'admission') return prev.thresholds.admission;
  if (rule === 'removal') {
    // Members leaving on their own: all of them signed, and their signatures are what it takes.
    return removed.every((p) => signed.has(p))
      ? Math.min(removed.length, prev.thresholds.admission)
      : prev.thresholds.admission;
  }
  return prev.thresholds.charter;
}

/** Checks that `next` is the version right after `prev` and linked to it. */
function checkLink(prev: Charter | null, next: Charter): void {
  if (prev === null) {
    if (next.version !== 1) throw new GovfedError('ERR_MALFORMED_CHARTER', 'charter: a genesis must be version 1');
    return;
  }
  if (next.version <= prev.version) {
    throw new GovfedError('ERR_CHARTER_STALE', `version ${next.version} does not follow ${prev.version}`);
  }
  if (next.version > prev.version + 1) {
    throw new GovfedError('ERR_CHARTER_GAP', `version ${next.version} skips versions after ${prev.version}`);
  }
  if (next.previous !== charterDigest(prev)) {
    throw new GovfedError('ERR_CHARTER_PREVIOUS', `previous does not name version ${prev.version}`);
  }
}

/**
 * What a (possibly incomplete) charter change proves so far (attacker-controlled `env`). The checklist:
 *   1. envelope well-formed and bounded, charter payload type     (ERR_MALFORMED_ENVELOPE, ERR_PAYLOAD_TYPE_MISMATCH)
 *   2. payload is a canonical, well-formed charter                (ERR_NOT_CANONICAL, ERR_MALFORMED_CHARTER)
 *   3. version prev+1 (or 1 for a genesis), previous = digest(prev) (ERR_CHARTER_STALE, ERR_CHARTER_GAP, ERR_CHARTER_PREVIOUS)
 *   4. every signature by a member of prev or an added peer       (ERR_UNKNOWN_SIGNER)
 *   5. every signature verifies                                   (ERR_BAD_SIGNATURE)
 * The payload is parsed (strict, bounded) before signatures are verified because who may sign depends
 * on it; nothing in it is trusted until the caller sees `complete`.
 */
export function proposalStatus(prev: Charter | null, env: Envelope, opts: VerifyOptions = {}): ProposalStatus {
  const charter = charterOf(env);
  checkLink(prev, charter);
  const before = new Set(prev === null ? [] : prev.members.map((m) => m.peerId));
  const added = charter.members.map((m) => m.peerId).filter((p) => !before.has(p));
  const allowed = new Set([...before, ...added]);
  const { signedBy } = verifyPeerSigned(env, {
    payloadType: CHARTER_PAYLOAD_TYPE,
    allowed,
    limits: CHARTER_ENVELOPE_LIMITS,
    verify: opts.verify,
  });
  const signed = new Set(signedBy);
  const rule = changeRule(prev, charter);
  const removed = prev === null ? [] : removedMembers(prev, charter);
  const required = requiredSignatures(prev, charter, rule, removed, signed);
  const memberSignatures = prev === null ? signedBy.length : signedBy.filter((p) => before.has(p)).length;
  const missingNewMembers = added.filter((p) => !signed.has(p)).sort();
  const changed = prev === null ? [] : changedMembers(prev, charter);
  const missingChangedMembers = changed.filter((p) => !signed.has(p));
  return {
    charter,
    digest: charterDigest(charter),
    rule,
    required,
    signedBy,
    memberSignatures,
    added: added.sort(),
    removed,
    missingNewMembers,
    changed,
    missingChangedMembers,
    complete: memberSignatures >= required && missingNewMembers.length === 0 && missingChangedMembers.length === 0,
  };
}
