/**
 * The charter: the federation's root of trust (in the spirit of TUF root metadata).
 *
 * A charter version lists the members (org, libp2p peer id, jurisdiction, optional witness and log keys)
 * and thresholds (admission, policy, charter, optional witness), and optionally the deadline of the change
 * that makes it (`expiresAt`). Its bytes are the RFC 8785 (JCS) serialisation of exactly the fields below, UTF-8;
 * its digest is `sha256:` + hex(SHA-256(bytes)); version n+1 names version n by that digest in
 * `previous`. The federation id is the bare hex SHA-256 of the genesis (version 1) bytes.
 *
 * Static rules for every version (checked by `checkCharter`, ERR_MALFORMED_CHARTER otherwise):
 *   - exactly the listed fields, no others; `type` is `govfed.charter/v1`;
 *   - `version` is a safe integer >= 1; `previous` is null iff version is 1;
 *   - 1..MAX_MEMBERS members, sorted by `org` (UTF-16 code unit order, which is byte order for the
 *     ASCII org alphabet), orgs unique, peer ids unique, witness keys unique;
 *   - thresholds are integers with 1 <= admission <= charter <= member count, and
 *     1 <= policy <= MAX_MEMBERS. `charter <= members` keeps the federation able to change its charter
 *     (a larger threshold could never be met again). `admission <= charter` because admitting is a
 *     subset of changing the charter: with admission > charter, any member set that can meet the charter
 *     threshold could first lower the admission threshold, so a higher admission threshold would protect
 *     nothing. `policy` may exceed today's member count while the federation forms;
 *   - `approvals`, optional and never empty: the model registry's approval quorum per risk tier
 *     (approval-rules.ts). Charters without it keep their bytes and digests.
 */

import { isPlainObject, isRfc3339Utc, isSha256Digest, isText } from '../audit/fields.ts';
import { canonicalBytes, parseCanonical } from '../canonical/jcs.ts';
import { sha256 } from '../crypto/sha256.ts';
import { toHex } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { type ApprovalRules, checkApprovalRules } from './approval-rules.ts';
import { checkKillSettings, KILL_SETTING_KEYS, type KillSettings, nextKillSettings } from './kill-settings.ts';
import { assertExactKeys, checkMembers, MAX_MEMBERS, type Member, malformed } from './member.ts';

export {
  MAX_MEMBERS,
  MAX_RETIRED_LOG_KEYS,
  type Member,
  memberLogKeys,
  ORG_PATTERN,
  WITNESS_KEY_PATTERN,
} from './member.ts';

export const CHARTER_TYPE = 'govfed.charter/v1';
/** DSSE payloadType of a signed charter (and of a pending charter change: a proposal). */
export const CHARTER_PAYLOAD_TYPE = 'application/vnd.govfed.charter+json';
/** Upper bound on a charter's canonical bytes (256 members with maximal fields fit well below). */
export const MAX_CHARTER_BYTES = 256 * 1024;
export const MAX_NAME_CHARS = 128;
/** The thresholds, and beside them the kill switch's settings (kill-settings.ts). */
export interface Thresholds extends KillSettings {
  /** Signatures of current members needed for a change that only adds members. */
  admission: number;
  /** Member approvals needed for a policy (used by the policy issue). */
  policy: number;
  /** Signatures of current members needed for any other charter change. */
  charter: number;
  /**
   * Cosignatures of other members' witnesses that make a member's checkpoint *witnessed*; absent means
   * a majority of the other members (witnessThreshold).
   */
  witness?: number;
}

export interface Charter {
  type: typeof CHARTER_TYPE;
  name: string;
  version: number;
  /** `sha256:` + hex of the previous version's canonical bytes; null for version 1. */
  previous: string | null;
  /** RFC 3339 UTC; informational (set by the proposer, not ordered between versions). */
  createdAt: string;
  /**
   * RFC 3339 UTC, optional: the deadline of a proposed change. Members sign it, and take it as a new
   * version, only before this time (protocol/federation/proposal.ts, checkNotExpired); the invite
   * that admits a peer carries its expiry here, inside what the inviter signs. It stays in the
   * version once accepted (a record of the deadline the signers agreed to) and is never copied into
   * the next version.
   */
  expiresAt?: string;
  members: Member[];
  thresholds: Thresholds;
  /**
   * Optional: the approval quorum per risk tier of the model registry (approval-rules.ts). Absent when
   * no tier has a rule (never an empty object), so charters made before it keep their bytes.
   */
  approvals?: ApprovalRules;
}

function isCount(v: unknown, max: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= max;
}

function checkThresholds(v: unknown, memberCount: number): Thresholds {
  if (!isPlainObject(v)) throw malformed('thresholds: expected an object');
  assertExactKeys(v, ['admission', 'policy', 'charter'], ['witness', ...KILL_SETTING_KEYS], 'thresholds');
  const { admission, policy, charter, witness } = v;
  const kill = checkKillSettings(v);
  if (!isCount(charter, memberCount)) throw malformed(`thresholds.charter: expected 1..${memberCount} (member count)`);
  if (!isCount(admission, charter)) throw malformed(`thresholds.admission: expected 1..${charter} (charter threshold)`);
  if (!isCount(policy, MAX_MEMBERS)) throw malformed(`thresholds.policy: expected 1..${MAX_MEMBERS}`);
  if (witness === undefined) return { admission, policy, charter, ...kill };
  if (!isCount(witness, MAX_MEMBERS)) throw malformed(`thresholds.witness: expected 1..${MAX_MEMBERS}`);
  return { admission, policy, charter, witness, ...kill };
}

/**
 * Checks the static rules above on an untrusted value and returns a fresh Charter holding only the
 * charter's fields. Throws ERR_MALFORMED_CHARTER.
 */
export function checkCharter(value: unknown): Charter {
  if (!isPlainObject(value)) throw malformed('expected an object');
  assertExactKeys(
    value,
    ['type', 'name', 'version', 'previous', 'createdAt', 'members', 'thresholds'],
    ['expiresAt', 'approvals'],
    'charter',
  );
  if (value.type !== CHARTER_TYPE) throw malformed(`type: expected "${CHARTER_TYPE}"`);
  if (!isText(value.name, MAX_NAME_CHARS)) throw malformed(`name: expected 1..${MAX_NAME_CHARS} printable characters`);
  const version = value.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw malformed('version: expected an integer >= 1');
  }
  if (version === 1 ? value.previous !== null : !isSha256Digest(value.previous)) {
    throw malformed('previous: expected null for version 1, otherwise sha256:<64 hex>');
  }
  if (!isRfc3339Utc(value.createdAt)) throw malformed('createdAt: expected an RFC 3339 UTC timestamp');
  if ('expiresAt' in value && !isRfc3339Utc(value.expiresAt)) {
    throw malformed('expiresAt: expected an RFC 3339 UTC timestamp');
  }
  const members = checkMembers(value.members);
  const thresholds = checkThresholds(value.thresholds, members.length);
  const c: Charter = {
    type: CHARTER_TYPE,
    name: value.name,
    version,
    previous: value.previous as string | null,
    createdAt: value.createdAt,
    members,
    thresholds,
  };
  if (typeof value.expiresAt === 'string') c.expiresAt = value.expiresAt;
  if ('approvals' in value) {
    const approvals = checkApprovalRules(value.approvals);
    if (Object.keys(approvals).length === 0) throw malformed('approvals: expected at least one tier (or no field)');
    c.approvals = approvals;
  }
  return c;
}

/** The canonical (JCS, UTF-8) bytes of a charter: the DSSE payload and the input to its digest. */
export function encodeCharter(c: Charter): Uint8Array {
  const bytes = canonicalBytes(checkCharter(c));
  if (bytes.length > MAX_CHARTER_BYTES) throw malformed(`larger than ${MAX_CHARTER_BYTES} bytes`);
  return bytes;
}

/**
 * Parses charter bytes (attacker-controlled): bounded, canonical JSON, then the static rules.
 * Throws ERR_MALFORMED_CHARTER (with the JSON error as cause) or ERR_NOT_CANONICAL.
 */
export function decodeCharter(bytes: Uint8Array): Charter {
  let value: unknown;
  try {
    value = parseCanonical(bytes, MAX_CHARTER_BYTES);
  } catch (cause) {
    if (cause instanceof GovfedError && cause.code === 'ERR_NOT_CANONICAL') throw cause;
    throw new GovfedError('ERR_MALFORMED_CHARTER', 'charter: not bounded canonical JSON', { cause });
  }
  return checkCharter(value);
}

/** `sha256:` + hex SHA-256 of the charter's canonical bytes. */
export function charterDigest(c: Charter): string {
  return `sha256:${toHex(sha256(encodeCharter(c)))}`;
}

/**
 * The federation id: the 64 lowercase hex digits of SHA-256 over the genesis charter's canonical bytes
 * (the same hash as its digest, without the `sha256:` prefix). Throws ERR_MALFORMED_CHARTER unless
 * `genesis` is a version 1 charter.
 */
export function federationId(genesis: Charter): string {
  if (genesis.version !== 1) throw malformed('the federation id is defined by version 1 only');
  return toHex(sha256(encodeCharter(genesis)));
}

/** A federation id: 64 lowercase hex digits. */
export const FEDERATION_ID_PATTERN = '^[0-9a-f]{64}$';
const FEDERATION_ID_RE = new RegExp(FEDERATION_ID_PATTERN);

export function isFederationId(v: unknown): v is string {
  return typeof v === 'string' && FEDERATION_ID_RE.test(v);
}

/** The member with this peer id, if any. */
export function memberByPeerId(c: Charter, peerId: string): Member | undefined {
  return c.members.find((m) => m.peerId === peerId);
}

function sortMembers(members: readonly Member[]): Member[] {
  return [...members].sort((a, b) => (a.org < b.org ? -1 : a.org > b.org ? 1 : 0));
}

/** Builds and checks a genesis charter (members are sorted for you). */
export function genesisCharter(input: {
  name: string;
  createdAt: string;
  members: readonly Member[];
  thresholds: Thresholds;
}): Charter {
  return checkCharter({
    type: CHARTER_TYPE,
    name: input.name,
    version: 1,
    previous: null,
    createdAt: input.createdAt,
    members: sortMembers(input.members),
    thresholds: { ...input.thresholds },
  });
}

/**
 * Builds and checks version prev.version+1 with `previous` = charterDigest(prev); fields not given are
 * copied from `prev` (never `expiresAt`: a deadline belongs to one change). `members` replaces the
 * member list (sorted for you); use `addMembers` to admit.
 */
export function nextCharter(
  prev: Charter,
  change: {
    createdAt: string;
    expiresAt?: string;
    name?: string;
    members?: readonly Member[];
    thresholds?: Partial<Thresholds>;
    /** The whole new set of approval rules (default: prev's). */
    approvals?: ApprovalRules;
  },
): Charter {
  const approvals = change.approvals ?? prev.approvals;
  return checkCharter({
    type: CHARTER_TYPE,
    name: change.name ?? prev.name,
    version: prev.version + 1,
    previous: charterDigest(prev),
    createdAt: change.createdAt,
    ...(change.expiresAt === undefined ? {} : { expiresAt: change.expiresAt }),
    members: sortMembers(change.members ?? prev.members),
    thresholds: nextThresholds(prev.thresholds, change.thresholds),
    ...(approvals === undefined || Object.keys(approvals).length === 0 ? {} : { approvals }),
  });
}

function nextThresholds(prev: Thresholds, change: Partial<Thresholds> | undefined): Thresholds {
  const t: Thresholds = {
    admission: change?.admission ?? prev.admission,
    policy: change?.policy ?? prev.policy,
    charter: change?.charter ?? prev.charter,
  };
  const witness = change?.witness ?? prev.witness;
  if (witness !== undefined) t.witness = witness;
  return { ...t, ...nextKillSettings(prev, change) };
}

/**
 * How many cosignatures by witnesses of *other* members make `org`'s checkpoint witnessed:
 * thresholds.witness when set (capped at the number of other members), otherwise a majority of the
 * other members, floor((n-1)/2)+1 — and 0 when `org` is the only member. Members without a witness key
 * count in n but cannot cosign.
 */
export function witnessThreshold(c: Charter, org: string): number {
  const others = c.members.filter((m) => m.org !== org).length;
  if (others === 0) return 0;
  return Math.min(c.thresholds.witness ?? Math.floor(others / 2) + 1, others);
}

/** The admission change: prev's members plus `added`, nothing else changed (optionally with a deadline). */
export function addMembers(prev: Charter, added: readonly Member[], createdAt: string, expiresAt?: string): Charter {
  return nextCharter(prev, {
    createdAt,
    ...(expiresAt === undefined ? {} : { expiresAt }),
    members: [...prev.members, ...added],
  });
}

/**
 * Thresholds `t` made valid for `memberCount` members by lowering only what must go down: the charter
 * threshold to the member count, then admission to the charter threshold. Policy and witness stay (the
 * policy threshold may exceed the member count; witnessThreshold caps the witness one).
 */
export function clampThresholds(t: Thresholds, memberCount: number): Thresholds {
  const charter = Math.min(t.charter, memberCount);
  const out: Thresholds = { admission: Math.min(t.admission, charter), policy: t.policy, charter };
  if (t.witness !== undefined) out.witness = t.witness;
  return { ...out, ...nextKillSettings(t, undefined) };
}

/**
 * The removal change: prev's members without `removed` (peer ids), thresholds clamped to the new member
 * count (clampThresholds), nothing else changed (optionally with a deadline). ERR_MALFORMED_CHARTER when
 * a peer id is not a member, when nothing is removed, or when no member would remain.
 */
export function removeMembers(
  prev: Charter,
  removed: readonly string[],
  createdAt: string,
  expiresAt?: string,
): Charter {
  const gone = new Set(removed);
  for (const p of gone) if (memberByPeerId(prev, p) === undefined) throw malformed(`${p} is not a member`);
  const members = prev.members.filter((m) => !gone.has(m.peerId));
  if (gone.size === 0) throw malformed('a removal removes at least one member');
  if (members.length === 0) throw malformed('a charter keeps at least one member');
  return nextCharter(prev, {
    createdAt,
    ...(expiresAt === undefined ? {} : { expiresAt }),
    members,
    thresholds: clampThresholds(prev.thresholds, members.length),
  });
}
