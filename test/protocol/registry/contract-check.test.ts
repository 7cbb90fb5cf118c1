import { describe, expect, it } from 'vitest';
import { decisionFindings, jurisdictionWithin, siteFindings } from '../../../protocol/registry/contract-check.ts';
import type { ContractTerms } from '../../../protocol/registry/contract-terms.ts';

const NOW = Date.parse('2027-01-01T00:00:00Z');
const SITE = { jurisdiction: 'DE', tier: 'high' as const, now: NOW };
const rules = (fs: { rule: string }[]) => fs.map((f) => f.rule);

describe('jurisdictionWithin', () => {
  it('allows a code and its subdivisions, not the other way round', () => {
    expect(jurisdictionWithin('US-CA', 'US')).toBe(true);
    expect(jurisdictionWithin('US', 'US')).toBe(true);
    expect(jurisdictionWithin('US', 'US-CA')).toBe(false);
    expect(jurisdictionWithin('USX', 'US')).toBe(false);
  });
});

describe('siteFindings', () => {
  it('finds nothing in a contract without site conditions', () => {
    expect(siteFindings({ allowedPurposes: ['x'] }, SITE)).toEqual([]);
  });
  it('denies an expired contract at and after notAfter', () => {
    const t: ContractTerms = { notAfter: '2027-01-01T00:00:00Z' };
    expect(rules(siteFindings(t, SITE))).toEqual(['contract.not_after']);
    expect(siteFindings(t, { ...SITE, now: NOW - 1 })).toEqual([]);
  });
  it('denies a node whose jurisdiction is not allowed', () => {
    expect(rules(siteFindings({ allowedJurisdictions: ['FR', 'IT'] }, SITE))).toEqual(['contract.jurisdiction']);
    expect(siteFindings({ allowedJurisdictions: ['FR', 'DE'] }, SITE)).toEqual([]);
  });
  it('denies a tier above maxRiskTier, and an unknown tier', () => {
    expect(rules(siteFindings({ maxRiskTier: 'medium' }, SITE))).toEqual(['contract.risk_tier']);
    expect(siteFindings({ maxRiskTier: 'high' }, SITE)).toEqual([]);
    expect(siteFindings({ maxRiskTier: 'serious' }, SITE)).toEqual([]);
    expect(rules(siteFindings({ maxRiskTier: 'serious' }, { ...SITE, tier: '' }))).toEqual(['contract.risk_tier']);
  });
});

describe('decisionFindings', () => {
  const T: ContractTerms = {
    allowedJurisdictions: ['DE', 'US'],
    allowedPurposes: ['credit'],
    allowedDataClasses: ['transaction', 'contact'],
    forbiddenDataClasses: ['biometric'],
    oversight: { humanInLoop: true, forDecisionTypes: ['reject'] },
  };
  const ok = { context: { purpose: 'credit' }, dataClasses: ['transaction'] };

  it('finds nothing for a decision within every condition', () => {
    expect(decisionFindings(T, ok, SITE)).toEqual([]);
    expect(decisionFindings(T, { ...ok, jurisdiction: 'US-NY' }, SITE)).toEqual([]);
  });
  it('requires an allowed context.purpose', () => {
    expect(decisionFindings(T, { dataClasses: [] }, SITE)[0]?.message).toContain('context.purpose is required');
    expect(rules(decisionFindings(T, { context: { purpose: 'marketing' } }, SITE))).toEqual(['contract.purpose']);
    expect(rules(decisionFindings(T, { context: { purpose: 7 } }, SITE))).toEqual(['contract.purpose']);
  });
  it('denies forbidden and unlisted data classes in one finding', () => {
    const f = decisionFindings(T, { ...ok, dataClasses: ['biometric', 'health', 'contact'] }, SITE);
    expect(rules(f)).toEqual(['contract.data_classes']);
    expect(f[0]?.message).toBe('data classes forbidden: biometric; not allowed: biometric, health');
  });
  it("denies a decision in a jurisdiction the contract does not allow (once, even if the node's is denied too)", () => {
    expect(rules(decisionFindings(T, { ...ok, jurisdiction: 'FR' }, SITE))).toEqual(['contract.jurisdiction']);
    expect(rules(decisionFindings(T, { ...ok, jurisdiction: 'FR' }, { ...SITE, jurisdiction: 'IT' }))).toEqual([
      'contract.jurisdiction',
    ]);
  });
  it('requires context.reviewer for the decision types under human oversight only', () => {
    const reject = { ...ok, context: { purpose: 'credit', decisionType: 'reject' } };
    expect(rules(decisionFindings(T, reject, SITE))).toEqual(['contract.oversight']);
    expect(decisionFindings(T, { ...reject, context: { ...reject.context, reviewer: 'ana' } }, SITE)).toEqual([]);
    expect(decisionFindings(T, { ...ok, context: { purpose: 'credit', decisionType: 'accept' } }, SITE)).toEqual([]);
    const always: ContractTerms = { oversight: { humanInLoop: true } };
    expect(rules(decisionFindings(always, {}, SITE))).toEqual(['contract.oversight']);
    expect(decisionFindings({ oversight: { humanInLoop: false } }, {}, SITE)).toEqual([]);
  });
  it('lists every violated condition, site conditions first', () => {
    const all = decisionFindings(
      { ...T, notAfter: '2026-01-01T00:00:00Z' },
      { context: { decisionType: 'reject' }, dataClasses: ['biometric'] },
      { ...SITE, jurisdiction: 'FR' },
    );
    expect(rules(all)).toEqual([
      'contract.not_after',
      'contract.jurisdiction',
      'contract.purpose',
      'contract.data_classes',
      'contract.oversight',
    ]);
  });
});
