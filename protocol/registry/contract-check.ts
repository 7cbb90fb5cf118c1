/**
 * What a contract's terms say about one decision, or one deployment (docs/contracts.md "Enforcement"):
 * pure functions, the same on every node. Each violated condition is one deny finding named
 * `contract.<condition>` with a message; the node merges them with its policy's findings into one verdict
 * (node/decisions/recorder.ts) and seals their names into the leaf like policy rule ids.
 *
 *   contract.not_after     the contract's notAfter has passed
 *   contract.jurisdiction  this node's jurisdiction, or the record's `jurisdiction`, is not allowed
 *   contract.risk_tier     the model version's risk tier is above maxRiskTier
 *   contract.purpose       `context.purpose` is missing or not an allowed purpose
 *   contract.data_classes  a record's `dataClasses` entry is forbidden, or not among the allowed ones
 *   contract.oversight     a human must be in the loop for this decision type and `context.reviewer` is missing
 *
 * A jurisdiction code allows itself and its subdivisions: `US` allows `US-CA`; `US-CA` does not allow `US`.
 */
import type { RiskTier } from '../federation/approval-rules.ts';
import { type ContractTerms, tierRank } from './contract-terms.ts';

export interface ContractFinding {
  /** `contract.<condition>`. */
  rule: string;
  message: string;
}

/** What of a decision record the contract looks at (protocol/audit CheckedDecision has these fields). */
export interface ContractDecision {
  jurisdiction?: string | undefined;
  dataClasses?: readonly string[] | undefined;
  context?: Readonly<Record<string, unknown>> | undefined;
}

/** Where and what runs: this node's jurisdiction, the version's risk tier, the time (ms since the epoch). */
export interface ContractSite {
  jurisdiction: string;
  tier: RiskTier | '';
  now: number;
}

/** Whether `code` is `allowed` or one of its subdivisions. */
export function jurisdictionWithin(code: string, allowed: string): boolean {
  return code === allowed || code.startsWith(`${allowed}-`);
}

function allowedHere(t: ContractTerms, code: string): boolean {
  return t.allowedJurisdictions === undefined || t.allowedJurisdictions.some((a) => jurisdictionWithin(code, a));
}

/** The conditions of the place and the version: expiry, jurisdiction, risk tier (deployments and decisions). */
export function siteFindings(t: ContractTerms, site: ContractSite): ContractFinding[] {
  const out: ContractFinding[] = [];
  if (t.notAfter !== undefined && site.now >= Date.parse(t.notAfter)) {
    out.push({ rule: 'contract.not_after', message: `the contract expired at ${t.notAfter}` });
  }
  if (!allowedHere(t, site.jurisdiction)) {
    out.push({
      rule: 'contract.jurisdiction',
      message: `this node's jurisdiction ${site.jurisdiction || '(none)'} is not among ${t.allowedJurisdictions?.join(', ')}`,
    });
  }
  if (t.maxRiskTier !== undefined && (site.tier === '' || tierRank(site.tier) > tierRank(t.maxRiskTier))) {
    out.push({
      rule: 'contract.risk_tier',
      message: `the version's risk tier ${site.tier || '(unknown)'} is above the contract's maxRiskTier ${t.maxRiskTier}`,
    });
  }
  return out;
}

function contextText(d: ContractDecision, key: string): string | undefined {
  const v = d.context?.[key];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Every condition of the contract this decision violates, in the order of the list above. */
export function decisionFindings(t: ContractTerms, d: ContractDecision, site: ContractSite): ContractFinding[] {
  const out = siteFindings(t, site);
  if (d.jurisdiction !== undefined && !allowedHere(t, d.jurisdiction)) {
    const i = out.findIndex((f) => f.rule === 'contract.jurisdiction');
    if (i < 0) {
      out.push({
        rule: 'contract.jurisdiction',
        message: `the decision's jurisdiction ${d.jurisdiction} is not among ${t.allowedJurisdictions?.join(', ')}`,
      });
    }
  }
  if (t.allowedPurposes !== undefined) {
    const purpose = contextText(d, 'purpose');
    if (purpose === undefined || !t.allowedPurposes.includes(purpose)) {
      out.push({
        rule: 'contract.purpose',
        message:
          purpose === undefined
            ? `context.purpose is required (allowed: ${t.allowedPurposes.join(', ')})`
            : `purpose ${purpose} is not among ${t.allowedPurposes.join(', ')}`,
      });
    }
  }
  const classes = d.dataClasses ?? [];
  const forbidden = classes.filter((c) => t.forbiddenDataClasses?.includes(c));
  const unlisted = t.allowedDataClasses === undefined ? [] : classes.filter((c) => !t.allowedDataClasses?.includes(c));
  if (forbidden.length > 0 || unlisted.length > 0) {
    const parts = [];
    if (forbidden.length > 0) parts.push(`forbidden: ${forbidden.join(', ')}`);
    if (unlisted.length > 0) parts.push(`not allowed: ${unlisted.join(', ')}`);
    out.push({ rule: 'contract.data_classes', message: `data classes ${parts.join('; ')}` });
  }
  const o = t.oversight;
  if (o?.humanInLoop === true) {
    const type = contextText(d, 'decisionType');
    const applies = o.forDecisionTypes === undefined || (type !== undefined && o.forDecisionTypes.includes(type));
    if (applies && contextText(d, 'reviewer') === undefined) {
      out.push({
        rule: 'contract.oversight',
        message: `a human reviewer is required${o.forDecisionTypes === undefined ? '' : ` for ${type}`}: context.reviewer is missing`,
      });
    }
  }
  return out;
}
