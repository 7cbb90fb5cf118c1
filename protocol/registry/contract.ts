/**
 * A trust contract: the signed statement that binds contract terms (contract-terms.ts) to one model
 * version — a DSSE envelope (payload type application/vnd.in-toto+json) over an in-toto Statement v1
 * whose subject is the model digest and whose predicate (type CONTRACT_PREDICATE_TYPE, docs/PROTOCOL.md
 * §14 "Contracts") is:
 *
 *   {"federation":"<id>","model":{"org":"eu","name":"fraud","version":"1.0.0"},
 *    "version":2, "previous":"sha256:<id of version 1>",
 *    "terms":{…contract terms…}, "signer":{"name":"alice","role":"model_owner"}, "issuedAt":"…"}
 *
 * Versions of a model's contract form a chain: version 1 has no `previous`, version n names the id
 * (`sha256:` + SHA-256 of the statement bytes) of version n − 1. The current contract is the newest
 * version; an approval names the contract it approves (approval.ts `contract`), so a new contract
 * version needs approval again. It is signed by a person of the MODEL org's roster holding one of
 * CONTRACT_ROLES; `verifyContract` walks a numbered checklist, nothing in it is believed before the end.
 */
import { isPlainObject, isRfc3339Utc } from '../audit/fields.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/sha256.ts';
import type { DsseSigner, Envelope } from '../dsse/index.ts';
import { decodeEnvelope } from '../dsse/index.ts';
import { toHex } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { makeStatement, type Statement, signStatement } from '../intoto/index.ts';
import type { ModelRef } from './approval.ts';
import { type ContractTerms, checkContractTerms } from './contract-terms.ts';
import { assertAbout, checkModelRef, MODEL_NAME_RE, modelSubject } from './model-ref.ts';
import { checkPersonSignature, openPersonSigned, type RosterPerson } from './person-signed.ts';

export const CONTRACT_PREDICATE_TYPE = 'https://govfed.org/attestation/model-contract/v1';
/** The roles whose holders may sign a contract for their org's model. */
export const CONTRACT_ROLES: readonly string[] = ['model_owner', 'risk_officer', 'legal'];
/** Contract versions of one model version at most. */
export const MAX_CONTRACT_VERSIONS = 256;
/** The largest contract envelope. */
export const MAX_CONTRACT_ENVELOPE = 128 * 1024;
const HEX64 = /^[0-9a-f]{64}$/;
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export interface ContractPredicate {
  federation: string;
  model: ModelRef;
  version: number;
  /** `sha256:<id>` of version − 1; absent for version 1. */
  previous?: string;
  terms: ContractTerms;
  signer: { name: string; role: string };
  issuedAt: string;
}

export interface ContractContext {
  federation: string;
  /** The model version the contract must be about, as this verifier's registry holds it. */
  model: ModelRef & { digest: string };
  /** The person of `org`'s current roster holding the key `keyid`, if any. */
  person(org: string, keyid: string): RosterPerson | undefined;
}

export interface VerifiedContract {
  predicate: ContractPredicate;
  keyid: string;
  /** sha256 hex of the statement bytes: names this contract version (`sha256:<id>` in approvals). */
  id: string;
}

function bad(message: string): GovfedError {
  return new GovfedError('ERR_MALFORMED_CONTRACT', `contract: ${message}`);
}

function exact(o: Record<string, unknown>, required: string[], optional: string[], where: string): void {
  for (const k of required) if (!(k in o)) throw bad(`${where}: missing "${k}"`);
  for (const k of Object.keys(o))
    if (!required.includes(k) && !optional.includes(k)) throw bad(`${where}: unknown field "${k}"`);
}

/** Checks a predicate's shape (attacker-controlled). Throws ERR_MALFORMED_CONTRACT or ERR_INVALID_CONTRACT. */
export function checkContractPredicate(v: unknown): ContractPredicate {
  if (!isPlainObject(v)) throw bad('predicate: expected an object');
  exact(v, ['federation', 'model', 'version', 'terms', 'signer', 'issuedAt'], ['previous'], 'predicate');
  if (typeof v.federation !== 'string' || !HEX64.test(v.federation)) throw bad('federation: expected a federation id');
  const m = checkModelRef(v.model, bad);
  if (
    typeof v.version !== 'number' ||
    !Number.isSafeInteger(v.version) ||
    v.version < 1 ||
    v.version > MAX_CONTRACT_VERSIONS
  ) {
    throw bad(`version: expected an integer 1..${MAX_CONTRACT_VERSIONS}`);
  }
  if (v.version === 1 && 'previous' in v) throw bad('previous: version 1 has none');
  if (v.version > 1 && (typeof v.previous !== 'string' || !DIGEST_RE.test(v.previous))) {
    throw bad('previous: version 2 and later name the previous version as sha256:<hex>');
  }
  const s = v.signer;
  if (!isPlainObject(s)) throw bad('signer: expected an object');
  exact(s, ['name', 'role'], [], 'signer');
  if (typeof s.name !== 'string' || !MODEL_NAME_RE.test(s.name)) throw bad('signer.name: expected a person name');
  if (typeof s.role !== 'string' || !CONTRACT_ROLES.includes(s.role)) {
    throw bad(`signer.role: expected one of ${CONTRACT_ROLES.join(', ')}`);
  }
  if (!isRfc3339Utc(v.issuedAt)) throw bad('issuedAt: expected RFC 3339 UTC');
  const p: ContractPredicate = {
    federation: v.federation,
    model: { org: m.org, name: m.name, version: m.version },
    version: v.version,
    terms: checkContractTerms(v.terms),
    signer: { name: s.name, role: s.role },
    issuedAt: v.issuedAt,
  };
  if (typeof v.previous === 'string') p.previous = v.previous;
  return p;
}

/** The statement of a contract for the model version with `digest` (`sha256:<hex>`). */
export function contractStatement(digest: string, predicate: ContractPredicate): Statement<ContractPredicate> {
  const p = checkContractPredicate(predicate);
  return makeStatement([modelSubject(digest, p.model)], CONTRACT_PREDICATE_TYPE, p);
}

/** Signs a contract with a person's key (the CLI does this; the node never holds the key). */
export function signContract(digest: string, predicate: ContractPredicate, signer: DsseSigner): Envelope {
  return signStatement(contractStatement(digest, predicate), [signer]);
}

/** The model a contract claims to be about and its version (not yet believed): to find what it follows. */
export function claimedContract(env: Envelope): ContractPredicate {
  const { statement } = openPersonSigned(env, {
    predicateType: CONTRACT_PREDICATE_TYPE,
    maxBytes: MAX_CONTRACT_ENVELOPE,
    bad,
  });
  return checkContractPredicate(statement.predicate);
}

/**
 * Verifies a contract envelope (attacker-controlled) against the model version it is for:
 *   1. one signature, a well-formed in-toto Statement v1 of CONTRACT_PREDICATE_TYPE    (ERR_MALFORMED_CONTRACT)
 *   2. the predicate's strict shape, the terms' included                               (ERR_MALFORMED_CONTRACT, ERR_INVALID_CONTRACT)
 *   3. this federation, this model (org, name, version) and its digest as the one subject (ERR_CONTRACT_MISMATCH)
 *   4. the key is the named signer, with the named role, in the MODEL org's current roster (ERR_NOT_IN_ROSTER)
 *   5. the signature verifies with that key                                             (ERR_BAD_SIGNATURE)
 * Where it goes in the model's chain of contract versions is `contractFollows` (the verifier's state).
 */
export function verifyContract(env: Envelope, ctx: ContractContext, opts: VerifyOptions = {}): VerifiedContract {
  // 1.
  const {
    statement,
    keyid: hint,
    payload,
  } = openPersonSigned(env, { predicateType: CONTRACT_PREDICATE_TYPE, maxBytes: MAX_CONTRACT_ENVELOPE, bad });
  // 2.
  const p = checkContractPredicate(statement.predicate);
  // 3.
  const mismatch = (what: string) => new GovfedError('ERR_CONTRACT_MISMATCH', `contract: ${what}`);
  assertAbout(p, statement.subject, ctx, mismatch);
  // 4.
  const person = ctx.person(p.model.org, hint);
  if (person === undefined || person.name !== p.signer.name || person.role !== p.signer.role) {
    throw new GovfedError(
      'ERR_NOT_IN_ROSTER',
      `contract: the signing key is not ${p.signer.name} (${p.signer.role}) in ${p.model.org}'s current roster`,
    );
  }
  // 5.
  const keyid = checkPersonSignature(env, person, 'contract', opts);
  return { predicate: p, keyid, id: toHex(sha256(payload)) };
}

/** sha256 hex of an envelope's statement bytes: names a contract version. */
export function contractId(env: Envelope): string {
  return toHex(sha256(decodeEnvelope(env).payload));
}

/**
 * Where a verified contract goes, given the newest version held (`undefined`: none):
 *   'next'   it is the next version and names the held one as `previous`;
 *   'held'   this exact version is held already;
 *   'later'  it is further ahead: wait for the versions between;
 * and ERR_CONTRACT_CONFLICT when it is another contract for a version already held, or its `previous` is
 * not the held version.
 */
export function contractFollows(
  c: VerifiedContract,
  held: readonly { version: number; id: string }[],
): 'next' | 'held' | 'later' {
  const p = c.predicate;
  const at = held[p.version - 1];
  if (at !== undefined) {
    if (at.id === c.id) return 'held';
    throw new GovfedError(
      'ERR_CONTRACT_CONFLICT',
      `contract version ${p.version} of ${p.model.org}/${p.model.name}@${p.model.version} is held already (sha256:${at.id})`,
    );
  }
  if (p.version > held.length + 1) return 'later';
  const prev = held[held.length - 1];
  if (prev !== undefined && p.previous !== `sha256:${prev.id}`) {
    throw new GovfedError(
      'ERR_CONTRACT_CONFLICT',
      `contract version ${p.version} does not follow the held version ${prev.version} (sha256:${prev.id})`,
    );
  }
  return 'next';
}
