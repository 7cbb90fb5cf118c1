/** The gap between a member's statements of new charter versions (node/federation/statement-gap.ts). */
import { describe, expect, it } from 'vitest';
import { CHARTER_STATEMENT_GAP_MS, charterStatementGapMs } from '../../../node/federation/statement-gap.ts';

describe('charterStatementGapMs', () => {
  it('is 2 s up to 8 members, then grows with them: a burst costs the federation at most 4 statements a second', () => {
    expect(charterStatementGapMs(3)).toBe(CHARTER_STATEMENT_GAP_MS);
    expect(charterStatementGapMs(8)).toBe(2000);
    expect(charterStatementGapMs(20)).toBe(5000);
    expect(charterStatementGapMs(50)).toBe(12_500);
    for (const n of [10, 20, 50, 100]) expect(n / (charterStatementGapMs(n) / 1000)).toBe(4);
  });
});
