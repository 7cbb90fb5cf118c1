/**
 * What a node checks before it believes a registry record (a registration or an approval, signed by a
 * person — attacker-controlled whether it comes from an HTTP client or a member), beyond the protocol's
 * checklists (protocol/registry/registration.ts, approval.ts), which run first:
 *
 * Registration, after verifyRegistration:
 *   R1. the model's org is a current member of the federation                          (ERR_NOT_IN_ROSTER)
 *   R2. the risk result names a policy baseline version this node holds (a newer one:
 *       "later" — it arrives by sync), with that version's digest                       (ERR_REGISTRATION_MISMATCH)
 *   R3. the score, tier and hits are exactly what that baseline's `register` rules give
 *       for this card (anyone can recompute it; a submitter cannot lower a tier)          (ERR_REGISTRATION_MISMATCH)
 *   R4. that baseline's `register` deny rules do not fire                               (ERR_POLICY_DENIED)
 * Approval, after verifyApproval (which needs the model's registration: without it, "later"):
 *   A1. for a vote posted to this node: the current baseline's `approve` deny rules do not fire (ERR_POLICY_DENIED)
 *   A2. for a vote posted to this node: it names the version's current contract       (ERR_APPROVAL_MISMATCH)
 * Kill-switch record, after verifyRevocation (which needs the model's registration: without it, "later"):
 *   K1. signed before its signer was revoked, if revoked                                (ERR_NOT_IN_ROSTER)
 *   K2. its signer's org is a current member                                            (ERR_NOT_IN_ROSTER)
 * Contract, after verifyContract (which needs the model's registration: without it, "later"):
 *   C1. signed before its signer was revoked, if revoked                                (ERR_NOT_IN_ROSTER)
 *   C2. where it goes in the version's chain of contracts (protocol contractFollows: the next version,
 *       held already, or "later" when versions between are missing)                     (ERR_CONTRACT_CONFLICT)
 */
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import type { Envelope } from '../../protocol/dsse/index.ts';
import { GovfedError } from '../../protocol/errors.ts';
import { contractFollows } from '../../protocol/registry/contract.ts';
import { type Deployment, deploymentFollows, verifyDeployment } from '../../protocol/registry/deployment.ts';
import {
  APPROVAL_PREDICATE_TYPE,
  checkApprovalPredicate,
  type ModelCard,
  type ModelRef,
  type RiskResult,
  type RosterPerson,
  type VerifiedApproval,
  type VerifiedContract,
  type VerifiedRegistration,
  type VerifiedRevocation,
  verifyApproval,
  verifyContract,
  verifyRegistration,
  verifyRevocation,
} from '../../protocol/registry/index.ts';
import { MAX_APPROVAL_ENVELOPE } from '../../protocol/registry/model-sync.ts';
import { openPersonSigned } from '../../protocol/registry/person-signed.ts';

/** The model facts a risk rule sees. */
export interface RiskModel extends ModelRef {
  digest: string;
  assurance: 'files' | 'opaque';
}

/** The policy baseline's part in the registry (node/registry/risk-check.ts implements it). */
export interface RiskCheck {
  /** The baseline this node enforces now: version 0 when there is none. */
  head(): { version: number; digest: string };
  /** The risk of `card` for `model` under baseline `version`; undefined when this node does not hold it. */
  score(version: number, card: ModelCard | undefined, model: RiskModel): RiskResult | undefined;
  /** Messages of the `register` deny rules of baseline `version` that fire. */
  registerDenials(version: number, card: ModelCard | undefined, model: RiskModel, risk: RiskResult): string[];
  /** Messages of the current baseline's `deploy` deny rules that fire for deploying `model` on this node. */
  deployDenials?(
    model: RiskModel & { status: string; tier: string; score: number },
    card: ModelCard | undefined,
    deployment: { shadow: boolean; org: string; jurisdiction: string },
  ): string[];
  /** Messages of the current baseline's `approve` deny rules that fire. */
  approveDenials(
    approval: { decision: string; role: string; org: string; name: string },
    model: RiskModel & { status: string; tier: string; score: number },
    card: ModelCard | undefined,
  ): string[];
}

export interface CheckContext {
  federationId: string;
  /** Orgs of the current charter. */
  members: ReadonlySet<string>;
  /** The person holding `keyid` in `org`'s roster; `revokedAt` when revoked (lenient lookups only). */
  person(org: string, keyid: string): (RosterPerson & { revokedAt?: string }) | undefined;
  risk: RiskCheck;
  verify?: Ed25519Verify;
  /** The peer id the charter lists for `org` (deployment records are signed by the org's node). */
  peerIdOf?: (org: string) => string | undefined;
}

export type Later = { later: string };

function mismatch(message: string): GovfedError {
  return new GovfedError('ERR_REGISTRATION_MISMATCH', `registration: ${message}`);
}

function sameRisk(a: RiskResult, b: RiskResult): boolean {
  return (
    a.score === b.score &&
    a.tier === b.tier &&
    a.policyVersion === b.policyVersion &&
    a.policyDigest === b.policyDigest &&
    a.hits.length === b.hits.length &&
    a.hits.every((h, i) => h.rule === b.hits[i]?.rule && h.points === b.hits[i]?.points)
  );
}

export function riskModel(v: VerifiedRegistration): RiskModel {
  return { ...v.predicate.model, digest: v.digest, assurance: v.predicate.assurance };
}

/** The registration checklist (protocol steps 1–6, then R1–R4). */
export function checkRegistration(env: Envelope, ctx: CheckContext): VerifiedRegistration | Later {
  const v = verifyRegistration(env, { federation: ctx.federationId, person: ctx.person }, { verify: ctx.verify });
  const p = v.predicate;
  signedBeforeRevocation(ctx, p.model.org, v.keyid, p.registeredAt, 'registration');
  // R1.
  if (!ctx.members.has(p.model.org)) {
    throw new GovfedError('ERR_NOT_IN_ROSTER', `registration: ${p.model.org} is not a member of this federation`);
  }
  // R2.
  const model = riskModel(v);
  const recomputed = ctx.risk.score(p.risk.policyVersion, p.card, model);
  if (recomputed === undefined) {
    if (p.risk.policyVersion > ctx.risk.head().version) return { later: `policy version ${p.risk.policyVersion}` };
    throw mismatch(`scored under policy version ${p.risk.policyVersion}, which this node does not hold`);
  }
  // R3.
  if (!sameRisk(recomputed, p.risk)) {
    throw mismatch(
      `risk ${p.risk.score} (${p.risk.tier}) does not match the recomputation under policy version ` +
        `${p.risk.policyVersion}: ${recomputed.score} (${recomputed.tier})`,
    );
  }
  // R4.
  const denied = ctx.risk.registerDenials(p.risk.policyVersion, p.card, model, p.risk);
  if (denied.length > 0)
    throw new GovfedError('ERR_POLICY_DENIED', `registration denied by policy: ${denied.join('; ')}`);
  return v;
}

/** The model an approval claims to be about (not yet believed): to find its registration. */
export function claimedApprovalModel(env: Envelope): ModelRef {
  const { statement } = openPersonSigned(env, {
    predicateType: APPROVAL_PREDICATE_TYPE,
    maxBytes: MAX_APPROVAL_ENVELOPE,
    bad: (m: string) => new GovfedError('ERR_MALFORMED_APPROVAL', `approval: ${m}`),
  });
  return checkApprovalPredicate(statement.predicate).model;
}

/** The approval checklist (protocol steps 1–7) against the registration it names. */
export function checkApproval(
  env: Envelope,
  reg: VerifiedRegistration,
  ctx: CheckContext & { now: number },
): VerifiedApproval {
  const a = verifyApproval(
    env,
    {
      federation: ctx.federationId,
      model: { ...reg.predicate.model, digest: reg.digest },
      submitterKey: reg.submitterKey,
      person: ctx.person,
      now: ctx.now,
    },
    { verify: ctx.verify },
  );
  signedBeforeRevocation(ctx, a.predicate.approver.org, a.keyid, a.predicate.issuedAt, 'approval');
  return a;
}

/** The contract checklist (protocol steps 1–5, then C1–C2) against the registration and the contracts held. */
export function checkContract(
  env: Envelope,
  reg: VerifiedRegistration,
  held: readonly { version: number; id: string }[],
  ctx: CheckContext,
): { contract: VerifiedContract; place: 'next' | 'held' | 'later' } {
  const c = verifyContract(
    env,
    { federation: ctx.federationId, model: { ...reg.predicate.model, digest: reg.digest }, person: ctx.person },
    { verify: ctx.verify },
  );
  // C1.
  signedBeforeRevocation(ctx, c.predicate.model.org, c.keyid, c.predicate.issuedAt, 'contract');
  // C2.
  return { contract: c, place: contractFollows(c, held) };
}

/** The kill-switch record checklist (protocol steps 1–6, then K1–K2) against the registration it names. */
export function checkRevocation(
  env: Envelope,
  reg: VerifiedRegistration,
  ctx: CheckContext & { now: number },
): VerifiedRevocation {
  const r = verifyRevocation(
    env,
    {
      federation: ctx.federationId,
      model: { ...reg.predicate.model, digest: reg.digest },
      person: ctx.person,
      now: ctx.now,
    },
    { verify: ctx.verify },
  );
  const s = r.predicate.signer;
  // K1.
  signedBeforeRevocation(ctx, s.org, r.keyid, r.predicate.issuedAt, 'revocation');
  // K2.
  if (!ctx.members.has(s.org)) {
    throw new GovfedError('ERR_NOT_IN_ROSTER', `revocation: ${s.org} is not a member of this federation`);
  }
  return r;
}

/**
 * A deployment record's checklist (protocol verifyDeployment: signed by the charter's peer of its org,
 * this federation), then its place in that org's chain (deploymentFollows; ERR_DEPLOYMENT_MISMATCH).
 */
export function checkDeployment(
  env: Envelope,
  chainOf: (org: string) => readonly { seq: number; digest: string }[],
  ctx: CheckContext,
): { deployment: Deployment; place: 'next' | 'held' | 'later' } {
  const d = verifyDeployment(
    env,
    { federation: ctx.federationId, peerIdOf: (org) => ctx.peerIdOf?.(org) },
    { verify: ctx.verify },
  );
  return { deployment: d, place: deploymentFollows(d, chainOf(d.org)) };
}

/** A record of a revoked person counts only when signed before the revocation (ERR_NOT_IN_ROSTER). */
function signedBeforeRevocation(ctx: CheckContext, org: string, keyid: string, at: string, what: string): void {
  const revokedAt = ctx.person(org, keyid)?.revokedAt;
  if (revokedAt !== undefined && Date.parse(at) >= Date.parse(revokedAt)) {
    throw new GovfedError('ERR_NOT_IN_ROSTER', `${what}: signed after its signer was revoked (${revokedAt})`);
  }
}
