import { describe, expect, it } from 'vitest';
import { summarize } from '../../../protocol/report/summary.ts';

import { AT, counts, DIGEST, dep, MODEL, RULE, suspension } from './opened.ts';

describe('summarize', () => {
  it('takes each org’s newest deploy or undeploy as its state, a refusal only when there is nothing else', () => {
    const s = summarize(
      [{ model: MODEL, digest: DIGEST }],
      [
        dep('a', 1, 'deploy'),
        dep('a', 2, 'undeploy'),
        dep('b', 1, 'deploy', true),
        dep('c', 1, 'refused'),
        dep('d', 1, 'deploy'),
        dep('d', 2, 'refused'),
      ],
      RULE,
      AT,
    );
    const v = s.versions[0];
    expect(v?.deployments.map((d) => [d.org, d.state])).toEqual([
      ['a', 'undeployed'],
      ['b', 'shadow'],
      ['c', 'refused'],
      ['d', 'live'],
    ]);
    expect(s.deployedIn).toEqual(['b', 'd']);
  });

  it('adds up every org’s counts, per version and in total', () => {
    const s = summarize(
      [{ model: MODEL, digest: DIGEST }],
      [counts('a', 10, 2), counts('b', 5, 1, { shadow_ai: 5 })],
      RULE,
      AT,
    );
    expect(s.total).toEqual({ decisions: 15, denied: 3, flags: { shadow_ai: 5 }, deny: { 'contract.purpose': 3 } });
    expect(s.versions[0]?.counts.byOrg.map((c) => c.org)).toEqual(['a', 'b']);
  });

  it('states the kill switch as of the report’s time (a suspension lapses after its TTL)', () => {
    const recent = summarize([{ model: MODEL, digest: DIGEST }], [suspension('a', '2027-01-09T12:00:00Z')], RULE, AT);
    expect(recent.versions[0]?.killSwitch.state).toBe('suspended');
    const old = summarize([{ model: MODEL, digest: DIGEST }], [suspension('a', '2027-01-01T00:00:00Z')], RULE, AT);
    expect(old.versions[0]?.killSwitch.state).toBe('active');
  });
});
