/**
 * A charter member (charter.ts): an org, its libp2p peer id (its signing key), its jurisdiction, and the
 * keys of its witness and audit log (current and retired) — and the checks a charter's member list passes:
 * exact fields, syntax, sorted by org, no peer id, witness key or log key listed twice in the whole charter.
 */
import { isJurisdiction, isPlainObject } from '../audit/fields.ts';
import { GovfedError } from '../errors.ts';
import { isPeerId } from './peer-id.ts';

/** Most members of one charter. */
export const MAX_MEMBERS = 256;
/** Org names: 1..64 of `A-Z a-z 0-9 _ . -`, starting with a letter or digit. */
export const ORG_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
const ORG_RE = new RegExp(ORG_PATTERN);
/** A witness key (c2sp.org/signed-note verifier key text): 1..512 printable ASCII, no spaces. */
export const WITNESS_KEY_PATTERN = '^[\\x21-\\x7e]{1,512}$';
const WITNESS_KEY_RE = new RegExp(WITNESS_KEY_PATTERN);

export interface Member {
  org: string;
  /** libp2p Ed25519 peer id (`12D3KooW…`): the member's signing key. */
  peerId: string;
  jurisdiction: string;
  /** The org's transparency-log witness key, as c2sp.org/signed-note verifier key text. */
  witnessKey?: string;
  /** The org's audit-log verifier key (c2sp.org/signed-note text; its name is the log's origin). */
  logKey?: string;
  /**
   * The org's earlier log keys, oldest first (`govfed keys rotate --log` moves `logKey` here): those logs
   * take no new entries but stay provable and witnessed under their own origins. Absent when none.
   */
  retiredLogKeys?: string[];
}

/** Most retired log keys one member lists. */
export const MAX_RETIRED_LOG_KEYS = 16;

/** Every log key of `m`: its current one (if any), then its retired ones. */
export function memberLogKeys(m: Member): string[] {
  return [...(m.logKey === undefined ? [] : [m.logKey]), ...(m.retiredLogKeys ?? [])];
}

/** ERR_MALFORMED_CHARTER (the charter's checks share it). */
export function malformed(message: string): GovfedError {
  return new GovfedError('ERR_MALFORMED_CHARTER', `charter: ${message}`);
}

export function assertExactKeys(
  o: Record<string, unknown>,
  required: string[],
  optional: string[],
  what: string,
): void {
  for (const k of required) if (!(k in o)) throw malformed(`${what}: missing "${k}"`);
  for (const k of Object.keys(o)) {
    if (!required.includes(k) && !optional.includes(k)) throw malformed(`${what}: unknown field "${k}"`);
  }
}

export function checkMember(v: unknown, i: number): Member {
  const what = `members[${i}]`;
  if (!isPlainObject(v)) throw malformed(`${what}: expected an object`);
  assertExactKeys(v, ['org', 'peerId', 'jurisdiction'], ['witnessKey', 'logKey', 'retiredLogKeys'], what);
  if (typeof v.org !== 'string' || !ORG_RE.test(v.org)) throw malformed(`${what}.org: expected ${ORG_PATTERN}`);
  if (!isPeerId(v.peerId)) throw malformed(`${what}.peerId: not an Ed25519 libp2p peer id`);
  if (!isJurisdiction(v.jurisdiction)) throw malformed(`${what}.jurisdiction: expected a jurisdiction code`);
  const m: Member = { org: v.org, peerId: v.peerId, jurisdiction: v.jurisdiction };
  if ('witnessKey' in v) {
    if (typeof v.witnessKey !== 'string' || !WITNESS_KEY_RE.test(v.witnessKey)) {
      throw malformed(`${what}.witnessKey: expected ${WITNESS_KEY_PATTERN}`);
    }
    m.witnessKey = v.witnessKey;
  }
  if ('logKey' in v) {
    if (typeof v.logKey !== 'string' || !WITNESS_KEY_RE.test(v.logKey)) {
      throw malformed(`${what}.logKey: expected ${WITNESS_KEY_PATTERN}`);
    }
    m.logKey = v.logKey;
  }
  if ('retiredLogKeys' in v) {
    const r = v.retiredLogKeys;
    if (!Array.isArray(r) || r.length < 1 || r.length > MAX_RETIRED_LOG_KEYS) {
      throw malformed(`${what}.retiredLogKeys: expected 1..${MAX_RETIRED_LOG_KEYS} keys (absent when none)`);
    }
    m.retiredLogKeys = r.map((k, j) => {
      if (typeof k !== 'string' || !WITNESS_KEY_RE.test(k)) {
        throw malformed(`${what}.retiredLogKeys[${j}]: expected ${WITNESS_KEY_PATTERN}`);
      }
      return k;
    });
  }
  return m;
}

export function checkMembers(v: unknown): Member[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_MEMBERS) {
    throw malformed(`members: expected 1..${MAX_MEMBERS} entries`);
  }
  const members = v.map(checkMember);
  const peers = new Set<string>();
  const witnesses = new Set<string>();
  const logs = new Set<string>();
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as Member;
    if (i > 0 && !((members[i - 1] as Member).org < m.org)) {
      throw malformed('members: must be sorted by org with unique orgs');
    }
    if (peers.has(m.peerId)) throw malformed(`members: peer id of "${m.org}" listed twice`);
    peers.add(m.peerId);
    if (m.witnessKey !== undefined) {
      if (witnesses.has(m.witnessKey)) throw malformed(`members: witness key of "${m.org}" listed twice`);
      witnesses.add(m.witnessKey);
    }
    // A log key (current or retired) names one log of one member: listed once in the whole charter.
    for (const k of memberLogKeys(m)) {
      if (logs.has(k)) throw malformed(`members: log key of "${m.org}" listed twice`);
      logs.add(k);
    }
  }
  return members;
}
