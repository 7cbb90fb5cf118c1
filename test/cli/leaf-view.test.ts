import { describe, expect, it } from 'vitest';
import { leafPairs } from '../../cli/leaf-view.ts';
import type { Leaf } from '../../protocol/audit/leaf.ts';

const decision: Leaf = {
  type: 'decision',
  v: 1,
  decisionId: 'd-1',
  model: 'credit-scorer@3',
  time: '2026-12-07T18:56:11.877Z',
  outcome: 'approve',
  recordDigest: `sha256:${'ab'.repeat(32)}`,
};

describe('leafPairs', () => {
  it('shows the policy version a decision was judged by, and says when none was in force', () => {
    expect(leafPairs({ ...decision, policyVersion: 4, verdict: 'allowed' })).toContainEqual(['policy version', 4]);
    expect(leafPairs({ ...decision, policyVersion: 0, verdict: 'allowed' })).toContainEqual([
      'policy version',
      '0 (no baseline in force)',
    ]);
    expect(leafPairs(decision).map(([k]) => k)).not.toContain('policy version');
  });

  it('names the rules that denied a decision', () => {
    const pairs = leafPairs({ ...decision, policyVersion: 2, verdict: 'denied', deny: ['no-pii', 'local:eu-only'] });
    expect(pairs).toContainEqual(['verdict', 'denied']);
    expect(pairs).toContainEqual(['denied by', 'no-pii, local:eu-only']);
  });
});
