/**
 * Approval rules: the quorum a model version of each risk tier needs before it counts as approved
 * (docs/registry.md). They are part of the charter (field `approvals`), so they change only by a charter
 * change at the charter threshold, and every member computes a model's status from the same rule.
 *
 *   approvals: { high: { roles: ["risk_officer", "legal"], orgs: 2 }, … }
 *
 * A rule for tier T: one approval by a distinct person per entry of `roles` (a role listed twice needs
 * two people holding it), and approvers from at least `orgs` distinct member orgs. A tier without a rule
 * needs no approval. Rules are checked here for shape only (tiers, role names, bounds, orgs ≤ roles);
 * whether a role exists is the registry's list (protocol/registry/roles.ts), checked where a rule is set.
 */
import { isPlainObject } from '../audit/fields.ts';
import { GovfedError } from '../errors.ts';

export const RISK_TIERS = ['serious', 'high', 'medium', 'low'] as const;
export type RiskTier = (typeof RISK_TIERS)[number];

export const ROLE_NAME_PATTERN = '^[a-z][a-z_]{0,31}$';
const ROLE_NAME_RE = new RegExp(ROLE_NAME_PATTERN);
/** Roles one rule may list (with repeats). */
export const MAX_RULE_ROLES = 8;

export interface ApprovalRule {
  /** One approval by a distinct person per entry. */
  roles: string[];
  /** Approvers from at least this many distinct member orgs (1..roles.length). */
  orgs: number;
}

export type ApprovalRules = Partial<Record<RiskTier, ApprovalRule>>;

export function isRiskTier(v: unknown): v is RiskTier {
  return typeof v === 'string' && (RISK_TIERS as readonly string[]).includes(v);
}

function malformed(message: string): GovfedError {
  return new GovfedError('ERR_MALFORMED_CHARTER', `charter: approvals${message}`);
}

/** Checks one rule (attacker-controlled) and returns a fresh copy. Throws ERR_MALFORMED_CHARTER. */
export function checkApprovalRule(v: unknown, where: string): ApprovalRule {
  if (!isPlainObject(v)) throw malformed(`${where}: expected an object`);
  for (const k of Object.keys(v)) if (k !== 'roles' && k !== 'orgs') throw malformed(`${where}: unknown field "${k}"`);
  const { roles, orgs } = v;
  if (!Array.isArray(roles) || roles.length < 1 || roles.length > MAX_RULE_ROLES) {
    throw malformed(`${where}.roles: expected 1..${MAX_RULE_ROLES} role names`);
  }
  for (const r of roles) {
    if (typeof r !== 'string' || !ROLE_NAME_RE.test(r))
      throw malformed(`${where}.roles: expected ${ROLE_NAME_PATTERN}`);
  }
  if (typeof orgs !== 'number' || !Number.isSafeInteger(orgs) || orgs < 1 || orgs > roles.length) {
    throw malformed(`${where}.orgs: expected 1..${roles.length} (no more orgs than approvals)`);
  }
  return { roles: [...roles] as string[], orgs };
}

/** Checks the charter's `approvals` object. Throws ERR_MALFORMED_CHARTER. */
export function checkApprovalRules(v: unknown): ApprovalRules {
  if (!isPlainObject(v)) throw malformed(': expected an object');
  const out: ApprovalRules = {};
  for (const [tier, rule] of Object.entries(v)) {
    if (!isRiskTier(tier)) throw malformed(`: unknown tier "${tier}" (expected ${RISK_TIERS.join(', ')})`);
    out[tier] = checkApprovalRule(rule, `.${tier}`);
  }
  return out;
}

/** `rules` with tier's rule set (or removed, when `rule` is null). */
export function withApprovalRule(
  rules: ApprovalRules | undefined,
  tier: RiskTier,
  rule: ApprovalRule | null,
): ApprovalRules {
  const out: ApprovalRules = { ...rules };
  if (rule === null) delete out[tier];
  else out[tier] = checkApprovalRule(rule, `.${tier}`);
  return out;
}
