import { describe, expect, it } from 'vitest';
import {
  checkContractTerms,
  MAX_CONTRACT_LIST,
  MAX_REQUIRED_MONITORS,
  tierRank,
} from '../../../protocol/registry/contract-terms.ts';

const code = (c: string) => expect.objectContaining({ code: c });

const FULL = {
  allowedJurisdictions: ['EU', 'US-CA'],
  allowedPurposes: ['credit-scoring'],
  allowedDataClasses: ['transaction'],
  forbiddenDataClasses: ['biometric'],
  maxRiskTier: 'high',
  oversight: { humanInLoop: true, forDecisionTypes: ['reject'] },
  requiredMonitors: [
    { metric: 'psi', field: 'output.score', threshold: 0.25, window: { decisions: 1000 }, onBreach: 'flag' },
    {
      metric: 'disparate_impact_ratio',
      groupField: 'context.group',
      positive: 'decision.output.approved == true',
      threshold: 0.8,
      window: { seconds: 86400 },
      onBreach: 'suspend',
    },
    { metric: 'denial_rate', threshold: 0.5, window: { decisions: 100 }, onBreach: 'flag' },
  ],
  logRetentionDays: 3650,
  maxRevocationStaleness: 60,
  notAfter: '2027-12-31T00:00:00Z',
};

describe('checkContractTerms', () => {
  it('accepts every condition and returns an equal copy', () => {
    const t = checkContractTerms(FULL);
    expect(t).toEqual(FULL);
    expect(t).not.toBe(FULL);
  });

  it('accepts a single condition', () => {
    expect(checkContractTerms({ notAfter: '2030-01-01T00:00:00Z' })).toEqual({ notAfter: '2030-01-01T00:00:00Z' });
  });

  describe('refuses (ERR_INVALID_CONTRACT, naming what is wrong)', () => {
    it.each([
      ['an unknown condition', { ...FULL, allowedRegions: ['EU'] }, 'allowedRegions'],
      ['an unknown oversight field', { oversight: { humanInLoop: true, always: true } }, 'always'],
      ['an unknown monitor field', { requiredMonitors: [{ ...FULL.requiredMonitors[0], extra: 1 }] }, 'extra'],
      ['no condition at all', {}, 'at least one condition'],
      ['not an object', ['EU'], 'JSON object'],
      ['a bad jurisdiction code', { allowedJurisdictions: ['europe'] }, 'allowedJurisdictions[0]'],
      ['an empty list', { allowedPurposes: [] }, 'allowedPurposes'],
      ['a listed twice', { allowedPurposes: ['a', 'a'] }, 'listed twice'],
      [
        'too long a list',
        { allowedPurposes: Array.from({ length: MAX_CONTRACT_LIST + 1 }, (_, i) => `p${i}`) },
        'allowedPurposes',
      ],
      [
        'a class both allowed and forbidden',
        { allowedDataClasses: ['x'], forbiddenDataClasses: ['x'] },
        'both allowed and forbidden',
      ],
      ['an unknown tier', { maxRiskTier: 'extreme' }, 'maxRiskTier'],
      ['humanInLoop not a boolean', { oversight: { humanInLoop: 'yes' } }, 'humanInLoop'],
      ['retention 0 days', { logRetentionDays: 0 }, 'logRetentionDays'],
      ['a fractional staleness', { maxRevocationStaleness: 1.5 }, 'maxRevocationStaleness'],
      ['a local time', { notAfter: '2027-12-31T00:00:00+01:00' }, 'notAfter'],
      ['an unknown metric', { requiredMonitors: [{ ...FULL.requiredMonitors[0], metric: 'accuracy' }] }, 'metric'],
      [
        'psi without field',
        { requiredMonitors: [{ metric: 'psi', threshold: 0.2, window: { decisions: 10 }, onBreach: 'flag' }] },
        'needs "field"',
      ],
      [
        'a group metric without positive',
        {
          requiredMonitors: [
            {
              metric: 'demographic_parity_difference',
              groupField: 'context.g',
              threshold: 0.1,
              window: { decisions: 10 },
              onBreach: 'flag',
            },
          ],
        },
        'positive',
      ],
      [
        'a field outside output/context',
        { requiredMonitors: [{ ...FULL.requiredMonitors[0], field: 'model' }] },
        'field',
      ],
      [
        'a window of both kinds',
        { requiredMonitors: [{ ...FULL.requiredMonitors[0], window: { decisions: 1, seconds: 1 } }] },
        'window',
      ],
      [
        'an infinite threshold',
        { requiredMonitors: [{ ...FULL.requiredMonitors[0], threshold: Number.POSITIVE_INFINITY }] },
        'threshold',
      ],
      [
        'an unknown breach action',
        { requiredMonitors: [{ ...FULL.requiredMonitors[0], onBreach: 'page' }] },
        'onBreach',
      ],
      [
        'a positive expression that does not compile',
        { requiredMonitors: [{ ...FULL.requiredMonitors[1], positive: 'decision.output.approved ==' }] },
        'positive',
      ],
      [
        'a positive expression naming an unknown variable',
        { requiredMonitors: [{ ...FULL.requiredMonitors[1], positive: 'decison.output.approved' }] },
        'positive',
      ],
      [
        'a rate without threshold (only psi and disparate_impact_ratio have a default)',
        { requiredMonitors: [{ metric: 'denial_rate', window: { decisions: 10 }, onBreach: 'flag' }] },
        'needs "threshold"',
      ],
      [
        'too many monitors',
        { requiredMonitors: Array.from({ length: MAX_REQUIRED_MONITORS + 1 }, () => FULL.requiredMonitors[2]) },
        'requiredMonitors',
      ],
    ])('%s', (_what, terms, says) => {
      expect(() => checkContractTerms(terms)).toThrow(code('ERR_INVALID_CONTRACT'));
      expect(() => checkContractTerms(terms)).toThrow(says);
    });
  });
});

describe('checkContractTerms requiredMonitors defaults', () => {
  it('fills the conventional threshold: psi 0.25, disparate_impact_ratio 0.8 (four-fifths)', () => {
    const t = checkContractTerms({
      requiredMonitors: [
        { metric: 'psi', field: 'output.score', window: { decisions: 10 }, onBreach: 'flag' },
        {
          metric: 'disparate_impact_ratio',
          groupField: 'context.group',
          positive: 'decision.output.approved == true',
          window: { decisions: 10 },
          onBreach: 'suspend',
        },
      ],
    });
    expect(t.requiredMonitors?.map((m) => m.threshold)).toEqual([0.25, 0.8]);
  });
});

describe('tierRank', () => {
  it('orders low < medium < high < serious', () => {
    expect(['low', 'medium', 'high', 'serious'].map((t) => tierRank(t as 'low'))).toEqual([0, 1, 2, 3]);
  });
});

describe('docs/examples/contract.json', () => {
  it('is a valid contract with every condition', async () => {
    const { readFile } = await import('node:fs/promises');
    const { repoPath } = await import('../../helpers/paths.ts');
    const terms = checkContractTerms(JSON.parse(await readFile(repoPath('docs', 'examples', 'contract.json'), 'utf8')));
    expect(Object.keys(terms).sort()).toEqual(Object.keys(FULL).sort());
  });
});
