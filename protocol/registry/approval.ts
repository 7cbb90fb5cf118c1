/**
 * A model approval: a person's signed vote on one model version — a DSSE envelope (payload type
 * application/vnd.in-toto+json) over an in-toto Statement v1 whose subject is the model digest and whose
 * predicate (type APPROVAL_PREDICATE_TYPE, docs/PROTOCOL.md "Model approvals") says who, in which role,
 * approves or rejects what:
 *
 *   {"_type":"https://in-toto.io/Statement/v1",
 *    "subject":[{"name":"fraud-model@1.2.0","digest":{"sha256":"<hex>"}}],
 *    "predicateType":"https://govfed.org/attestation/model-approval/v1",
 *    "predicate":{"federation":"<id>","model":{"org":"eu","name":"fraud-model","version":"1.2.0"},
 *                 "approver":{"org":"us","name":"alice","role":"risk_officer"},
 *                 "decision":"approve","issuedAt":"…","expiresAt":"…",
 *                 "reason":"…"?, "conditions":{…}?, "contract":"sha256:<hex>"?}}
 *
 * `contract` names the contract version (contract.ts: the id of its statement) the vote approves; a vote
 * counts only while it names the model's current contract (none: no `contract`), so a changed contract
 * needs approval again.
 *
 * The approver signs it with their own Ed25519 key (keyid = keyIdOf(public key)); the node never holds
 * that key. Nothing in the envelope is believed until `verifyApproval` has walked its checklist; who the
 * key belongs to comes from the approver org's roster as the verifier holds it, never from the envelope.
 */
import { isPlainObject, isRfc3339Utc, isText } from '../audit/fields.ts';
import { canonicalBytes } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/sha256.ts';
import type { DsseSigner, Envelope } from '../dsse/index.ts';
import { keyIdOf } from '../dsse/index.ts';
import { toHex } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { makeStatement, type Statement, signStatement } from '../intoto/index.ts';
import { assertAbout, checkModelRef, digestHex, MODEL_NAME_RE, MODEL_ORG_RE, type ModelRef } from './model-ref.ts';
import { checkPersonSignature, openPersonSigned, type RosterPerson } from './person-signed.ts';

export const APPROVAL_PREDICATE_TYPE = 'https://govfed.org/attestation/model-approval/v1';
export const MAX_REASON_CHARS = 1024;
/** JCS bytes of `conditions` at most. */
export const MAX_CONDITIONS_BYTES = 8 * 1024;
/** An approval is valid for at most this long after it is issued. */
export const MAX_APPROVAL_LIFETIME_MS = 400 * 24 * 60 * 60_000;
const ROLE_RE = /^[a-z][a-z_]{0,31}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export type ApprovalDecision = 'approve' | 'reject';

export type { ModelRef } from './model-ref.ts';

export interface ApprovalPredicate {
  federation: string;
  model: ModelRef;
  approver: { org: string; name: string; role: string };
  decision: ApprovalDecision;
  issuedAt: string;
  expiresAt: string;
  /** Required for a rejection. */
  reason?: string;
  conditions?: Record<string, unknown>;
  /** `sha256:<id>` of the contract version approved; absent for a model without a contract. */
  contract?: string;
}

export type { RosterPerson } from './person-signed.ts';

export interface ApprovalContext {
  federation: string;
  /** The model version the approval must be about, as this verifier's registry holds it. */
  model: ModelRef & { digest: string };
  /** The submitter's public key: they may not approve their own model (separation of duties). */
  submitterKey: Uint8Array;
  /** The person of `org`'s current roster holding the key `keyid`, if any. */
  person(org: string, keyid: string): RosterPerson | undefined;
  /** Milliseconds since the epoch. */
  now: number;
  /** Tolerated clock difference for `issuedAt` (default 5 minutes). */
  skewMs?: number;
}

export interface VerifiedApproval {
  predicate: ApprovalPredicate;
  keyid: string;
  /** sha256 hex of the statement bytes: names this vote. */
  id: string;
}

function bad(message: string): GovfedError {
  return new GovfedError('ERR_MALFORMED_APPROVAL', `approval: ${message}`);
}

function exact(o: Record<string, unknown>, required: string[], optional: string[], where: string): void {
  for (const k of required) if (!(k in o)) throw bad(`${where}: missing "${k}"`);
  for (const k of Object.keys(o))
    if (!required.includes(k) && !optional.includes(k)) throw bad(`${where}: unknown field "${k}"`);
}

/** Checks a predicate's shape (attacker-controlled). Throws ERR_MALFORMED_APPROVAL. */
export function checkApprovalPredicate(v: unknown): ApprovalPredicate {
  if (!isPlainObject(v)) throw bad('predicate: expected an object');
  exact(
    v,
    ['federation', 'model', 'approver', 'decision', 'issuedAt', 'expiresAt'],
    ['reason', 'conditions', 'contract'],
    'predicate',
  );
  if (typeof v.federation !== 'string' || !HEX64.test(v.federation)) throw bad('federation: expected a federation id');
  const model = checkModelRef(v.model, bad);
  const a = v.approver;
  if (!isPlainObject(a)) throw bad('approver: expected an object');
  exact(a, ['org', 'name', 'role'], [], 'approver');
  if (typeof a.org !== 'string' || !MODEL_ORG_RE.test(a.org)) throw bad('approver.org: expected an org name');
  if (typeof a.name !== 'string' || !MODEL_NAME_RE.test(a.name)) throw bad('approver.name: expected a person name');
  if (typeof a.role !== 'string' || !ROLE_RE.test(a.role)) throw bad('approver.role: expected a role name');
  if (v.decision !== 'approve' && v.decision !== 'reject') throw bad('decision: expected "approve" or "reject"');
  if (!isRfc3339Utc(v.issuedAt) || !isRfc3339Utc(v.expiresAt)) throw bad('issuedAt/expiresAt: expected RFC 3339 UTC');
  const lifetime = Date.parse(v.expiresAt) - Date.parse(v.issuedAt);
  if (!(lifetime > 0 && lifetime <= MAX_APPROVAL_LIFETIME_MS))
    throw bad('expiresAt: expected after issuedAt, within 400 days');
  const p: ApprovalPredicate = {
    federation: v.federation,
    model,
    approver: { org: a.org, name: a.name, role: a.role },
    decision: v.decision,
    issuedAt: v.issuedAt,
    expiresAt: v.expiresAt,
  };
  if ('reason' in v) {
    if (!isText(v.reason, MAX_REASON_CHARS)) throw bad(`reason: expected 1..${MAX_REASON_CHARS} printable characters`);
    p.reason = v.reason;
  }
  if (p.decision === 'reject' && p.reason === undefined) throw bad('reason: a rejection says why');
  if ('conditions' in v) {
    if (!isPlainObject(v.conditions)) throw bad('conditions: expected an object');
    if (canonicalBytes(v.conditions).length > MAX_CONDITIONS_BYTES)
      throw bad(`conditions: more than ${MAX_CONDITIONS_BYTES} bytes`);
    p.conditions = v.conditions;
  }
  if ('contract' in v) {
    if (typeof v.contract !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(v.contract))
      throw bad('contract: expected the approved contract as sha256:<hex>');
    p.contract = v.contract;
  }
  return p;
}

/** The statement of an approval of the model version with `digest` (`sha256:<hex>`). */
export function approvalStatement(digest: string, predicate: ApprovalPredicate): Statement<ApprovalPredicate> {
  const p = checkApprovalPredicate(predicate);
  const hex = digestHex(digest);
  return makeStatement(
    [{ name: `${p.model.name}@${p.model.version}`, digest: { sha256: hex } }],
    APPROVAL_PREDICATE_TYPE,
    p,
  );
}

/** Signs an approval with the approver's key (the CLI does this; the node never holds the key). */
export function signApproval(digest: string, predicate: ApprovalPredicate, signer: DsseSigner): Envelope {
  return signStatement(approvalStatement(digest, predicate), [signer]);
}

/**
 * Verifies an approval envelope (attacker-controlled) against what this verifier holds:
 *   1. one signature, a well-formed in-toto Statement v1, predicate type APPROVAL_PREDICATE_TYPE (ERR_MALFORMED_APPROVAL)
 *   2. the predicate's shape: strict fields, bounds, a reason for a rejection       (ERR_MALFORMED_APPROVAL)
 *   3. this federation, this model (org, name, version) and its digest as subject    (ERR_APPROVAL_MISMATCH)
 *   4. the signing key is in the approver org's current roster, as the named person with the named role (ERR_NOT_IN_ROSTER)
 *   5. the signature verifies with that key                                          (ERR_BAD_SIGNATURE)
 *   6. not the submitter's key: nobody approves their own model                     (ERR_SELF_APPROVAL)
 *   7. issued not after now (+ skew), not expired                                    (ERR_APPROVAL_EXPIRED)
 * Every refusal is a GovfedError with that code; nothing is returned unless all seven passed.
 */
export function verifyApproval(env: Envelope, ctx: ApprovalContext, opts: VerifyOptions = {}): VerifiedApproval {
  // 1.
  const {
    statement,
    keyid: hint,
    payload,
  } = openPersonSigned(env, {
    predicateType: APPROVAL_PREDICATE_TYPE,
    maxBytes: 64 * 1024,
    bad,
  });
  // 2.
  const p = checkApprovalPredicate(statement.predicate);
  // 3.
  const mismatch = (what: string) => new GovfedError('ERR_APPROVAL_MISMATCH', `approval: ${what}`);
  assertAbout(p, statement.subject, ctx, mismatch);
  // 4.
  const person = ctx.person(p.approver.org, hint);
  if (person === undefined || person.name !== p.approver.name || person.role !== p.approver.role) {
    throw new GovfedError(
      'ERR_NOT_IN_ROSTER',
      `approval: the signing key is not ${p.approver.name} (${p.approver.role}) in ${p.approver.org}'s current roster`,
    );
  }
  // 5.
  const keyid = checkPersonSignature(env, person, 'approval', opts);
  // 6.
  if (keyid === keyIdOf(ctx.submitterKey)) {
    throw new GovfedError(
      'ERR_SELF_APPROVAL',
      'approval: the submitter of a model may not approve it (separation of duties)',
    );
  }
  // 7.
  const skew = ctx.skewMs ?? 5 * 60_000;
  if (Date.parse(p.issuedAt) > ctx.now + skew)
    throw new GovfedError('ERR_APPROVAL_EXPIRED', 'approval: issued in the future');
  if (Date.parse(p.expiresAt) <= ctx.now)
    throw new GovfedError('ERR_APPROVAL_EXPIRED', `approval: expired at ${p.expiresAt}`);
  return { predicate: p, keyid, id: toHex(sha256(payload)) };
}
