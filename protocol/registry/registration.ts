/**
 * A model registration: the signed record that a model version exists in an org's registry — a DSSE
 * envelope (payload type application/vnd.in-toto+json) over an in-toto Statement v1 whose subject is the
 * model digest (the OMS root digest, or the digest of an external model's {provider, model, snapshot})
 * and whose predicate (type REGISTRATION_PREDICATE_TYPE, docs/PROTOCOL.md §14) says what it is, by whom,
 * and how it was scored:
 *
 *   {"federation":"<id>","model":{"org":"eu","name":"fraud-model","version":"1.2.0"},
 *    "assurance":"files" | "opaque", "external":{"provider","model","snapshot"}?,
 *    "card":{…model card…}?, "risk":{"score","tier","hits":[{"rule","points"}],"policyVersion","policyDigest"},
 *    "oms":{"method":"key" | "certificate"}?, "baseline":{"fields":{…}}?, "submitter":{"name","role"},
 *    "registeredAt":"…"}
 *
 * `baseline` (protocol/monitoring/baseline.ts) is the reference distribution the version's `psi` and `ks`
 * monitors compare against (`govfed model register … --baseline FILE`): signed with the registration.
 *
 * It is signed by the submitter's own key (a person of the org's roster); the org's node appends it to
 * its log. `verifyRegistration` walks a numbered checklist; nothing in it is believed before the end.
 */
import { isPlainObject, isRfc3339Utc } from '../audit/fields.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/sha256.ts';
import type { DsseSigner, Envelope } from '../dsse/index.ts';
import { decodeEnvelope } from '../dsse/index.ts';
import { toHex } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { isRiskTier, type RiskTier } from '../federation/approval-rules.ts';
import { makeStatement, type Statement, signStatement } from '../intoto/index.ts';
import { type Baseline, checkBaseline } from '../monitoring/baseline.ts';
import type { ModelRef, RosterPerson } from './approval.ts';
import { assertRegistrable, checkModelCard, type ModelCard } from './card.ts';
import { checkModelRef, MODEL_NAME_RE, modelSubject } from './model-ref.ts';
import { checkPersonSignature, openPersonSigned } from './person-signed.ts';

export const REGISTRATION_PREDICATE_TYPE = 'https://govfed.org/attestation/model-registration/v1';
export const MAX_RISK_HITS = 256;
const ROLE_RE = /^[a-z][a-z_]{0,31}$/;
const RULE_RE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const TEXT_RE = /^[\x21-\x7e]{1,256}$/;

export interface RiskResult {
  score: number;
  tier: RiskTier;
  hits: { rule: string; points: number }[];
  policyVersion: number;
  policyDigest: string;
}

export interface RegistrationPredicate {
  federation: string;
  model: ModelRef;
  assurance: 'files' | 'opaque';
  external?: { provider: string; model: string; snapshot: string };
  /** The model card; absent when the submitter gave none (every card field then reads empty in risk rules). */
  card?: ModelCard;
  risk: RiskResult;
  oms?: { method: 'key' | 'certificate' };
  /** The monitoring baseline committed with the version (psi, ks). */
  baseline?: Baseline;
  submitter: { name: string; role: string };
  registeredAt: string;
}

export interface RegistrationContext {
  federation: string;
  /** The person of `org`'s current roster holding the key `keyid`, if any. */
  person(org: string, keyid: string): RosterPerson | undefined;
}

export interface VerifiedRegistration {
  predicate: RegistrationPredicate;
  /** `sha256:<hex>`, the subject. */
  digest: string;
  keyid: string;
  submitterKey: Uint8Array;
}

function bad(message: string): GovfedError {
  return new GovfedError('ERR_MALFORMED_REGISTRATION', `registration: ${message}`);
}

function exact(o: Record<string, unknown>, required: string[], optional: string[], where: string): void {
  for (const k of required) if (!(k in o)) throw bad(`${where}: missing "${k}"`);
  for (const k of Object.keys(o))
    if (!required.includes(k) && !optional.includes(k)) throw bad(`${where}: unknown field "${k}"`);
}

function checkRisk(v: unknown): RiskResult {
  if (!isPlainObject(v)) throw bad('risk: expected an object');
  exact(v, ['score', 'tier', 'hits', 'policyVersion', 'policyDigest'], [], 'risk');
  if (typeof v.score !== 'number' || !Number.isSafeInteger(v.score) || v.score < 0)
    throw bad('risk.score: expected an integer ≥ 0');
  if (!isRiskTier(v.tier)) throw bad('risk.tier: expected serious, high, medium or low');
  if (!Array.isArray(v.hits) || v.hits.length > MAX_RISK_HITS)
    throw bad(`risk.hits: expected at most ${MAX_RISK_HITS}`);
  const hits = v.hits.map((h, i) => {
    if (!isPlainObject(h)) throw bad(`risk.hits[${i}]: expected an object`);
    exact(h, ['rule', 'points'], [], `risk.hits[${i}]`);
    if (typeof h.rule !== 'string' || !RULE_RE.test(h.rule)) throw bad(`risk.hits[${i}].rule: expected a rule id`);
    if (typeof h.points !== 'number' || !Number.isSafeInteger(h.points))
      throw bad(`risk.hits[${i}].points: expected an integer`);
    return { rule: h.rule, points: h.points };
  });
  if (typeof v.policyVersion !== 'number' || !Number.isSafeInteger(v.policyVersion) || v.policyVersion < 0) {
    throw bad('risk.policyVersion: expected an integer ≥ 0');
  }
  if (typeof v.policyDigest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(v.policyDigest))
    throw bad('risk.policyDigest: expected sha256:<hex>');
  return { score: v.score, tier: v.tier, hits, policyVersion: v.policyVersion, policyDigest: v.policyDigest };
}

/** Checks a predicate's shape (attacker-controlled). Throws ERR_MALFORMED_REGISTRATION or the card's code. */
export function checkRegistrationPredicate(v: unknown): RegistrationPredicate {
  if (!isPlainObject(v)) throw bad('predicate: expected an object');
  exact(
    v,
    ['federation', 'model', 'assurance', 'risk', 'submitter', 'registeredAt'],
    ['card', 'external', 'oms', 'baseline'],
    'predicate',
  );
  if (typeof v.federation !== 'string' || !HEX64.test(v.federation)) throw bad('federation: expected a federation id');
  const m = checkModelRef(v.model, bad);
  if (v.assurance !== 'files' && v.assurance !== 'opaque') throw bad('assurance: expected "files" or "opaque"');
  const p: RegistrationPredicate = {
    federation: v.federation,
    model: { org: m.org, name: m.name, version: m.version },
    assurance: v.assurance,
    risk: checkRisk(v.risk),
    submitter: { name: '', role: '' },
    registeredAt: '',
  };
  if ('card' in v) p.card = checkModelCard(v.card);
  if (v.assurance === 'opaque') {
    const e = v.external;
    if (!isPlainObject(e)) throw bad('external: an opaque (external) model names its provider, model and snapshot');
    exact(e, ['provider', 'model', 'snapshot'], [], 'external');
    for (const k of ['provider', 'model', 'snapshot'] as const) {
      if (typeof e[k] !== 'string' || !TEXT_RE.test(e[k] as string))
        throw bad(`external.${k}: expected 1..256 printable characters`);
    }
    p.external = { provider: e.provider as string, model: e.model as string, snapshot: e.snapshot as string };
  } else if ('external' in v) throw bad('external: only for assurance "opaque"');
  if ('oms' in v) {
    const o = v.oms;
    if (!isPlainObject(o)) throw bad('oms: expected an object');
    exact(o, ['method'], [], 'oms');
    if (o.method !== 'key' && o.method !== 'certificate') throw bad('oms.method: expected "key" or "certificate"');
    if (v.assurance !== 'files') throw bad('oms: only for assurance "files"');
    p.oms = { method: o.method };
  }
  if ('baseline' in v) p.baseline = checkBaseline(v.baseline);
  const s = v.submitter;
  if (!isPlainObject(s)) throw bad('submitter: expected an object');
  exact(s, ['name', 'role'], [], 'submitter');
  if (typeof s.name !== 'string' || !MODEL_NAME_RE.test(s.name)) throw bad('submitter.name: expected a person name');
  if (typeof s.role !== 'string' || !ROLE_RE.test(s.role)) throw bad('submitter.role: expected a role name');
  p.submitter = { name: s.name, role: s.role };
  if (!isRfc3339Utc(v.registeredAt)) throw bad('registeredAt: expected RFC 3339 UTC');
  p.registeredAt = v.registeredAt;
  return p;
}

/** The statement of a registration of the model version with `digest` (`sha256:<hex>`). */
export function registrationStatement(
  digest: string,
  predicate: RegistrationPredicate,
): Statement<RegistrationPredicate> {
  const p = checkRegistrationPredicate(predicate);
  if (p.card !== undefined) assertRegistrable(p.card);
  return makeStatement([modelSubject(digest, p.model)], REGISTRATION_PREDICATE_TYPE, p);
}

/** Signs a registration with the submitter's key (the CLI does this; the node never holds the key). */
export function signRegistration(digest: string, predicate: RegistrationPredicate, signer: DsseSigner): Envelope {
  return signStatement(registrationStatement(digest, predicate), [signer]);
}

/**
 * Verifies a registration envelope (attacker-controlled):
 *   1. one signature, a well-formed in-toto Statement v1 of REGISTRATION_PREDICATE_TYPE, one subject
 *      with a sha256 digest                                                       (ERR_MALFORMED_REGISTRATION)
 *   2. the predicate's strict shape, the model card's included                    (ERR_MALFORMED_REGISTRATION, ERR_INVALID_MODEL_CARD)
 *   3. this federation                                                            (ERR_REGISTRATION_MISMATCH)
 *   4. the key is the named submitter, with the named role, in the model org's current roster (ERR_NOT_IN_ROSTER)
 *   5. the signature verifies with that key                                       (ERR_BAD_SIGNATURE)
 *   6. the card is registrable: not a prohibited practice                         (ERR_MODEL_PROHIBITED)
 * Whether the risk score is right is the registry's check (it recomputes it under the policy version named).
 */
export function verifyRegistration(
  env: Envelope,
  ctx: RegistrationContext,
  opts: VerifyOptions = {},
): VerifiedRegistration {
  // 1.
  const { statement, keyid: hint } = openPersonSigned(env, {
    predicateType: REGISTRATION_PREDICATE_TYPE,
    maxBytes: 256 * 1024,
    bad,
  });
  const hex = statement.subject.length === 1 ? statement.subject[0]?.digest.sha256 : undefined;
  if (hex === undefined || !HEX64.test(hex)) throw bad('subject: expected one subject with a sha256 digest');
  // 2.
  const p = checkRegistrationPredicate(statement.predicate);
  if (statement.subject[0]?.name !== `${p.model.name}@${p.model.version}`)
    throw bad('subject name is not NAME@VERSION of the model');
  // 3.
  if (p.federation !== ctx.federation)
    throw new GovfedError('ERR_REGISTRATION_MISMATCH', 'registration: made for another federation');
  // 4.
  const person = ctx.person(p.model.org, hint);
  if (person === undefined || person.name !== p.submitter.name || person.role !== p.submitter.role) {
    throw new GovfedError(
      'ERR_NOT_IN_ROSTER',
      `registration: the signing key is not ${p.submitter.name} (${p.submitter.role}) in ${p.model.org}'s current roster`,
    );
  }
  // 5.
  const keyid = checkPersonSignature(env, person, 'registration', opts);
  // 6.
  if (p.card !== undefined) assertRegistrable(p.card);
  return { predicate: p, digest: `sha256:${hex}`, keyid, submitterKey: person.publicKey };
}

/** sha256 hex of an envelope's statement bytes: names a registration. */
export function registrationId(env: Envelope): string {
  return toHex(sha256(decodeEnvelope(env).payload));
}
