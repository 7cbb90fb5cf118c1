/**
 * An org's roster: the people whose keys speak for the org in the model registry, each with one role
 * (roles.ts), signed by the org's node with its libp2p peer key — the key the charter lists for that org.
 *
 *   DSSE envelope { payloadType: "application/vnd.govfed.roster+json",
 *                   payload: base64(JCS({ "type": "govfed.roster/v1", "federation", "org", "version",
 *                                         "previous", "people": [{name, role, publicKey, addedAt}],
 *                                         "revoked": [{name, role, publicKey, revokedAt}], "issuedAt" })),
 *                   signatures: [{ keyid: <the org's peer id>, sig }] }
 *
 * Versions chain: version 1 has `previous` null, version n+1 names version n by `rosterDigest`. A
 * person's key is never the node's: `govfed identity create` makes it on the operator's machine and
 * only the public key is listed. A revoked person leaves `people` for `revoked` (with when), so their
 * votes stop counting and a reader can tell why.
 *
 * verifyRoster (attacker-controlled input) is a checklist:
 *   1. envelope  a DSSE envelope, the roster payload type, one signature      ERR_MALFORMED_ROSTER, ERR_PAYLOAD_TYPE_MISMATCH
 *   2. signer    the keyid is the peer id the charter lists for the org named  ERR_UNKNOWN_SIGNER
 *   3. sig       verifies under that peer key                                 ERR_BAD_SIGNATURE
 *   4. payload   canonical JSON, exact fields, bounds, unique names and keys   ERR_MALFORMED_ROSTER
 *   5. context   this federation, the org the caller expects                  ERR_ROSTER_MISMATCH
 */
import { isPlainObject, isRfc3339Utc, isSha256Digest } from '../audit/fields.ts';
import { canonicalBytes, parseCanonical } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/sha256.ts';
import { decodeEnvelope, type Envelope, keyIdOf, parseEnvelope } from '../dsse/index.ts';
import { fromBase64, toBase64, toHex } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { signAsPeer, verifyPeerSigned } from '../federation/envelope.ts';
import type { RosterPerson } from './approval.ts';
import { isRole, type Role } from './roles.ts';

export const ROSTER_TYPE = 'govfed.roster/v1';
export const ROSTER_PAYLOAD_TYPE = 'application/vnd.govfed.roster+json';
export const MAX_PEOPLE = 1024;
export const MAX_REVOKED = 4096;
export const MAX_ROSTER_BYTES = 1 << 20;
export const PERSON_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$';
const NAME_RE = new RegExp(PERSON_NAME_PATTERN);
const ORG_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export interface Person {
  name: string;
  role: Role;
  /** base64 of the 32-byte Ed25519 public key. */
  publicKey: string;
  addedAt: string;
}

export interface RevokedPerson {
  name: string;
  role: Role;
  publicKey: string;
  revokedAt: string;
}

export interface Roster {
  type: typeof ROSTER_TYPE;
  federation: string;
  org: string;
  version: number;
  /** `sha256:<hex>` of the previous version's canonical bytes; null for version 1. */
  previous: string | null;
  people: Person[];
  revoked: RevokedPerson[];
  issuedAt: string;
}

function bad(message: string, cause?: unknown): GovfedError {
  return new GovfedError('ERR_MALFORMED_ROSTER', `roster: ${message}`, cause === undefined ? undefined : { cause });
}

function exact(o: Record<string, unknown>, keys: readonly string[], where: string): void {
  for (const k of keys) if (!(k in o)) throw bad(`${where}: missing "${k}"`);
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw bad(`${where}: unknown field "${k}"`);
}

function publicKeyOf(v: unknown, where: string): string {
  if (typeof v !== 'string') throw bad(`${where}.publicKey: expected base64 of a 32-byte Ed25519 key`);
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(v);
  } catch (cause) {
    throw bad(`${where}.publicKey: not base64`, cause);
  }
  if (bytes.length !== 32 || toBase64(bytes) !== v)
    throw bad(`${where}.publicKey: expected base64 of a 32-byte Ed25519 key`);
  return v;
}

function entry(
  v: unknown,
  where: string,
  when: 'addedAt' | 'revokedAt',
): { name: string; role: Role; publicKey: string; at: string } {
  if (!isPlainObject(v)) throw bad(`${where}: expected an object`);
  exact(v, ['name', 'role', 'publicKey', when], where);
  if (typeof v.name !== 'string' || !NAME_RE.test(v.name)) throw bad(`${where}.name: expected ${PERSON_NAME_PATTERN}`);
  if (!isRole(v.role)) throw bad(`${where}.role: expected a known role`);
  if (!isRfc3339Utc(v[when])) throw bad(`${where}.${when}: expected RFC 3339 UTC`);
  return { name: v.name, role: v.role, publicKey: publicKeyOf(v.publicKey, where), at: v[when] as string };
}

/** Checks a roster body (attacker-controlled) and returns a fresh copy. Throws ERR_MALFORMED_ROSTER. */
export function checkRoster(v: unknown): Roster {
  if (!isPlainObject(v)) throw bad('expected an object');
  exact(v, ['type', 'federation', 'org', 'version', 'previous', 'people', 'revoked', 'issuedAt'], 'roster');
  if (v.type !== ROSTER_TYPE) throw bad(`type: expected "${ROSTER_TYPE}"`);
  if (typeof v.federation !== 'string' || !HEX64.test(v.federation)) throw bad('federation: expected a federation id');
  if (typeof v.org !== 'string' || !ORG_RE.test(v.org)) throw bad('org: expected an org name');
  const version = v.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1)
    throw bad('version: expected an integer ≥ 1');
  if (version === 1 ? v.previous !== null : !isSha256Digest(v.previous)) {
    throw bad('previous: expected null for version 1, otherwise sha256:<64 hex>');
  }
  if (!Array.isArray(v.people) || v.people.length > MAX_PEOPLE) throw bad(`people: expected at most ${MAX_PEOPLE}`);
  if (!Array.isArray(v.revoked) || v.revoked.length > MAX_REVOKED)
    throw bad(`revoked: expected at most ${MAX_REVOKED}`);
  if (!isRfc3339Utc(v.issuedAt)) throw bad('issuedAt: expected RFC 3339 UTC');
  const people = v.people.map((p, i) => {
    const e = entry(p, `people[${i}]`, 'addedAt');
    return { name: e.name, role: e.role, publicKey: e.publicKey, addedAt: e.at };
  });
  const revoked = v.revoked.map((p, i) => {
    const e = entry(p, `revoked[${i}]`, 'revokedAt');
    return { name: e.name, role: e.role, publicKey: e.publicKey, revokedAt: e.at };
  });
  const names = new Set(people.map((p) => p.name));
  if (names.size !== people.length) throw bad('people: a name listed twice');
  const keys = new Set([...people, ...revoked].map((p) => p.publicKey));
  if (keys.size !== people.length + revoked.length)
    throw bad('a public key listed twice (people and revoked included)');
  return {
    type: ROSTER_TYPE,
    federation: v.federation,
    org: v.org,
    version,
    previous: v.previous as string | null,
    people,
    revoked,
    issuedAt: v.issuedAt,
  };
}

/** `sha256:` + hex SHA-256 of the roster's canonical bytes: what the next version names as `previous`. */
export function rosterDigest(r: Roster): string {
  return `sha256:${toHex(sha256(canonicalBytes(checkRoster(r))))}`;
}

/** Signs a roster as the org's node (its peer key's seed). */
export function signRoster(r: Omit<Roster, 'type'>, peerSeed: Uint8Array): Envelope {
  const checked = checkRoster({ type: ROSTER_TYPE, ...r });
  return signAsPeer(ROSTER_PAYLOAD_TYPE, canonicalBytes(checked), peerSeed);
}

/** The first roster of an org: nobody yet. */
export function firstRoster(federation: string, org: string, issuedAt: string): Roster {
  return checkRoster({
    type: ROSTER_TYPE,
    federation,
    org,
    version: 1,
    previous: null,
    people: [],
    revoked: [],
    issuedAt,
  });
}

/**
 * The next version of `prev`: a person added, or (`revoke`) a person moved to `revoked`. Throws
 * ERR_MALFORMED_ROSTER for a name or key already used, or for revoking someone not listed.
 */
export function nextRoster(
  prev: Roster,
  change: { add: { name: string; role: Role; publicKey: string } } | { revoke: string },
  at: string,
): Roster {
  const next: Roster = { ...prev, version: prev.version + 1, previous: rosterDigest(prev), issuedAt: at };
  if ('add' in change) {
    const p = change.add;
    if (prev.people.some((x) => x.name === p.name)) throw bad(`"${p.name}" is on the roster already`);
    next.people = [...prev.people, { name: p.name, role: p.role, publicKey: p.publicKey, addedAt: at }];
  } else {
    const gone = prev.people.find((x) => x.name === change.revoke);
    if (gone === undefined) throw bad(`nobody named "${change.revoke}"`);
    next.people = prev.people.filter((x) => x !== gone);
    next.revoked = [...prev.revoked, { name: gone.name, role: gone.role, publicKey: gone.publicKey, revokedAt: at }];
  }
  return checkRoster(next);
}

/** Verifies a roster envelope (attacker-controlled): the checklist at the top. */
export function verifyRoster(
  value: unknown,
  ctx: { federation: string; org: string; orgPeerId: string },
  opts: VerifyOptions = {},
): Roster {
  // 1.
  const env = parseEnvelope(value, { maxBytes: 2 * MAX_ROSTER_BYTES, maxSignatures: 1 });
  if (env.signatures.length !== 1) throw bad('expected exactly one signature (the org node)');
  // 2.–3.
  const signed = verifyPeerSigned(env, {
    payloadType: ROSTER_PAYLOAD_TYPE,
    allowed: new Set([ctx.orgPeerId]),
    limits: { maxBytes: 2 * MAX_ROSTER_BYTES, maxSignatures: 1 },
    ...opts,
  });
  // 4.
  let payload: unknown;
  try {
    payload = parseCanonical(signed.payload, MAX_ROSTER_BYTES);
  } catch (cause) {
    throw bad('payload is not canonical JSON', cause);
  }
  const r = checkRoster(payload);
  // 5.
  if (r.federation !== ctx.federation || r.org !== ctx.org) {
    throw new GovfedError(
      'ERR_ROSTER_MISMATCH',
      `roster: of ${r.org} in federation ${r.federation}, not of ${ctx.org} in this one`,
    );
  }
  return r;
}

/** The current person holding the key `keyid` (keyIdOf of the public key), if any — not the revoked. */
export function rosterPerson(r: Roster, keyid: string): RosterPerson | undefined {
  for (const p of r.people) {
    const publicKey = fromBase64(p.publicKey);
    if (keyIdOf(publicKey) === keyid) return { name: p.name, role: p.role, publicKey };
  }
  return undefined;
}

/**
 * The roster an envelope claims to carry, NOT verified: only to learn which org's peer key must have
 * signed it (then verifyRoster). Throws ERR_MALFORMED_ROSTER.
 */
export function claimedRoster(value: unknown): Roster {
  const env = parseEnvelope(value, { maxBytes: 2 * MAX_ROSTER_BYTES, maxSignatures: 1 });
  try {
    return checkRoster(parseCanonical(decodeEnvelope(env).payload, MAX_ROSTER_BYTES));
  } catch (cause) {
    if (cause instanceof GovfedError && cause.code === 'ERR_MALFORMED_ROSTER') throw cause;
    throw bad('payload is not a canonical roster', cause);
  }
}
