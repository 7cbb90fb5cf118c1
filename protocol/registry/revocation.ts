/**
 * The kill switch's records (docs/contracts.md "The kill switch"): a risk officer's signed word that a
 * model version must stop — a DSSE envelope (payload type application/vnd.in-toto+json) over an in-toto
 * Statement v1 whose subject is the model digest and whose predicate (type REVOCATION_PREDICATE_TYPE) is:
 *
 *   {"federation":"<id>","model":{"org":"eu","name":"fraud","version":"1.0.0"},
 *    "action":"suspend" | "revoke" | "reinstate", "reason":"…",
 *    "signer":{"org":"us","name":"rita","role":"risk_officer"}, "issuedAt":"…"}
 *
 *   suspend    one risk_officer of ANY member stops the version everywhere at once; it lapses after the
 *              charter's suspension time unless ratified (revocation-status.ts);
 *   revoke     a vote to stop it for good: revoked once the charter's revocation threshold of distinct
 *              risk officers voted (below it, a revoke vote suspends like a suspend);
 *   reinstate  ends every earlier suspension and revocation; approvals signed before it no longer count,
 *              so the version needs a fresh approval quorum.
 *
 * Records are append-only: every node keeps every record that verified, and the state follows from the
 * set (the same on every node once they hold the same records). `verifyRevocation` walks a numbered
 * checklist; nothing in it is believed before the end.
 */
import { isPlainObject, isRfc3339Utc, isText } from '../audit/fields.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/sha256.ts';
import type { DsseSigner, Envelope } from '../dsse/index.ts';
import { toHex } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { makeStatement, type Statement, signStatement } from '../intoto/index.ts';
import type { ModelRef } from './approval.ts';
import { assertAbout, checkModelRef, MODEL_NAME_RE, MODEL_ORG_RE, modelSubject } from './model-ref.ts';
import { checkPersonSignature, openPersonSigned, type RosterPerson } from './person-signed.ts';

export const REVOCATION_PREDICATE_TYPE = 'https://govfed.org/attestation/model-revocation/v1';
export const REVOCATION_ACTIONS = ['suspend', 'revoke', 'reinstate'] as const;
export type RevocationAction = (typeof REVOCATION_ACTIONS)[number];
/** The role whose holders may pull the kill switch (and reinstate). */
export const REVOCATION_ROLE = 'risk_officer';
export const MAX_REVOCATION_REASON_CHARS = 1024;
export const MAX_REVOCATION_ENVELOPE = 32 * 1024;
const HEX64 = /^[0-9a-f]{64}$/;

export interface RevocationPredicate {
  federation: string;
  model: ModelRef;
  action: RevocationAction;
  reason: string;
  signer: { org: string; name: string; role: string };
  issuedAt: string;
}

export interface RevocationContext {
  federation: string;
  /** The model version the record must be about, as this verifier's registry holds it. */
  model: ModelRef & { digest: string };
  /** The person of `org`'s current roster holding the key `keyid`, if any. */
  person(org: string, keyid: string): RosterPerson | undefined;
  /** Milliseconds since the epoch. */
  now: number;
  /** Tolerated clock difference for `issuedAt` (default 5 minutes). */
  skewMs?: number;
}

export interface VerifiedRevocation {
  predicate: RevocationPredicate;
  keyid: string;
  /** sha256 hex of the statement bytes: names this record. */
  id: string;
}

function bad(message: string): GovfedError {
  return new GovfedError('ERR_MALFORMED_REVOCATION', `revocation: ${message}`);
}

function exact(o: Record<string, unknown>, keys: string[], where: string): void {
  for (const k of keys) if (!(k in o)) throw bad(`${where}: missing "${k}"`);
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw bad(`${where}: unknown field "${k}"`);
}

/** Checks a predicate's shape (attacker-controlled). Throws ERR_MALFORMED_REVOCATION. */
export function checkRevocationPredicate(v: unknown): RevocationPredicate {
  if (!isPlainObject(v)) throw bad('predicate: expected an object');
  exact(v, ['federation', 'model', 'action', 'reason', 'signer', 'issuedAt'], 'predicate');
  if (typeof v.federation !== 'string' || !HEX64.test(v.federation)) throw bad('federation: expected a federation id');
  const m = checkModelRef(v.model, bad);
  const action = REVOCATION_ACTIONS.find((a) => a === v.action);
  if (action === undefined) throw bad(`action: expected one of ${REVOCATION_ACTIONS.join(', ')}`);
  if (!isText(v.reason, MAX_REVOCATION_REASON_CHARS)) {
    throw bad(`reason: expected 1..${MAX_REVOCATION_REASON_CHARS} printable characters`);
  }
  const s = v.signer;
  if (!isPlainObject(s)) throw bad('signer: expected an object');
  exact(s, ['org', 'name', 'role'], 'signer');
  if (typeof s.org !== 'string' || !MODEL_ORG_RE.test(s.org)) throw bad('signer.org: expected an org name');
  if (typeof s.name !== 'string' || !MODEL_NAME_RE.test(s.name)) throw bad('signer.name: expected a person name');
  if (s.role !== REVOCATION_ROLE) throw bad(`signer.role: only a ${REVOCATION_ROLE} pulls the kill switch`);
  if (!isRfc3339Utc(v.issuedAt)) throw bad('issuedAt: expected RFC 3339 UTC');
  return {
    federation: v.federation,
    model: { org: m.org, name: m.name, version: m.version },
    action,
    reason: v.reason,
    signer: { org: s.org, name: s.name, role: s.role },
    issuedAt: v.issuedAt,
  };
}

/** The statement of a kill-switch record for the model version with `digest` (`sha256:<hex>`). */
export function revocationStatement(digest: string, predicate: RevocationPredicate): Statement<RevocationPredicate> {
  const p = checkRevocationPredicate(predicate);
  return makeStatement([modelSubject(digest, p.model)], REVOCATION_PREDICATE_TYPE, p);
}

/** Signs a kill-switch record with a risk officer's key (the CLI does this; the node never holds it). */
export function signRevocation(digest: string, predicate: RevocationPredicate, signer: DsseSigner): Envelope {
  return signStatement(revocationStatement(digest, predicate), [signer]);
}

/** The model a record claims to be about (not yet believed): to find its registration. */
export function claimedRevocation(env: Envelope): RevocationPredicate {
  const { statement } = openPersonSigned(env, {
    predicateType: REVOCATION_PREDICATE_TYPE,
    maxBytes: MAX_REVOCATION_ENVELOPE,
    bad,
  });
  return checkRevocationPredicate(statement.predicate);
}

/**
 * Verifies a kill-switch record (attacker-controlled) against the model version it is for:
 *   1. one signature, a well-formed in-toto Statement v1 of REVOCATION_PREDICATE_TYPE   (ERR_MALFORMED_REVOCATION)
 *   2. the predicate's strict shape; the signer's role is risk_officer                  (ERR_MALFORMED_REVOCATION)
 *   3. this federation, this model (org, name, version), its digest as the one subject   (ERR_REVOCATION_MISMATCH)
 *   4. the key is the named risk officer in the signer org's current roster              (ERR_NOT_IN_ROSTER)
 *   5. the signature verifies with that key                                              (ERR_BAD_SIGNATURE)
 *   6. not issued in the future (beyond the tolerated skew)                              (ERR_REVOCATION_MISMATCH)
 */
export function verifyRevocation(env: Envelope, ctx: RevocationContext, opts: VerifyOptions = {}): VerifiedRevocation {
  // 1.
  const {
    statement,
    keyid: hint,
    payload,
  } = openPersonSigned(env, { predicateType: REVOCATION_PREDICATE_TYPE, maxBytes: MAX_REVOCATION_ENVELOPE, bad });
  // 2.
  const p = checkRevocationPredicate(statement.predicate);
  // 3.
  const mismatch = (what: string) => new GovfedError('ERR_REVOCATION_MISMATCH', `revocation: ${what}`);
  assertAbout(p, statement.subject, ctx, mismatch);
  // 4.
  const person = ctx.person(p.signer.org, hint);
  if (person === undefined || person.name !== p.signer.name || person.role !== p.signer.role) {
    throw new GovfedError(
      'ERR_NOT_IN_ROSTER',
      `revocation: the signing key is not ${p.signer.name} (${p.signer.role}) in ${p.signer.org}'s current roster`,
    );
  }
  // 5.
  const keyid = checkPersonSignature(env, person, 'revocation', opts);
  // 6.
  if (Date.parse(p.issuedAt) > ctx.now + (ctx.skewMs ?? 5 * 60_000)) throw mismatch('issued in the future');
  return { predicate: p, keyid, id: toHex(sha256(payload)) };
}
