import { describe, expect, it } from 'vitest';
import {
  demographicParityDifference,
  disparateImpactRatio,
  FOUR_FIFTHS,
  groupRates,
} from '../../../protocol/monitoring/fairness.ts';

// The Uniform Guidelines' example (29 CFR 1607.4(D); EEOC Questions and Answers, Q. 12): 48 of 80 white
// applicants hired (60 %), 12 of 40 Black applicants hired (30 %): 30/60 = 50 %, below four-fifths.
const UGESP = [
  { group: 'white', n: 80, positive: 48 },
  { group: 'black', n: 40, positive: 12 },
];

describe('disparateImpactRatio', () => {
  it('is 0.5 for the Uniform Guidelines example: adverse impact under the four-fifths rule', () => {
    expect(disparateImpactRatio(UGESP)).toBeCloseTo(0.5, 12);
    expect(disparateImpactRatio(UGESP) as number).toBeLessThan(FOUR_FIFTHS);
  });

  it('is 1 when no group is selected at all', () => {
    expect(
      disparateImpactRatio([
        { group: 'a', n: 30, positive: 0 },
        { group: 'b', n: 30, positive: 0 },
      ]),
    ).toBe(1);
  });

  describe('when groups are below the minimum count', () => {
    it('does not judge them (null with fewer than two judged groups) but reports them', () => {
      const groups = [...UGESP, { group: 'other', n: 29, positive: 0 }];
      expect(disparateImpactRatio(groups)).toBeCloseTo(0.5, 12);
      expect(groupRates(groups).small).toEqual([{ group: 'other', n: 29, positive: 0 }]);
      expect(disparateImpactRatio(UGESP, 50)).toBeNull();
    });
  });
});

describe('demographicParityDifference', () => {
  it('is max rate − min rate: 0.3 for the Uniform Guidelines example', () => {
    expect(demographicParityDifference(UGESP)).toBeCloseTo(0.3, 12);
  });

  it('is null for one group', () => {
    expect(demographicParityDifference([{ group: 'a', n: 100, positive: 3 }])).toBeNull();
  });
});
