import { describe, expect, it } from 'vitest';
import { controlsOf } from '../../../protocol/report/controls.ts';
import { summarize } from '../../../protocol/report/summary.ts';
import { AT, counts, DIGEST, dep, MODEL, RULE, suspension } from './opened.ts';

describe('controlsOf', () => {
  it('is missing without evidence, partial with something missing, supported otherwise', () => {
    const bare = controlsOf(summarize([{ model: MODEL, digest: DIGEST }], [], RULE, AT));
    expect(bare.every((c) => c.status === 'missing')).toBe(true);
    const some = controlsOf(
      summarize(
        [{ model: MODEL, digest: DIGEST }],
        [dep('a', 1, 'deploy'), dep('b', 1, 'deploy'), counts('a', 3, 0)],
        RULE,
        AT,
      ),
    );
    const art12 = some.find((c) => c.id === 'eu-ai-act-art-12');
    expect(art12?.status).toBe('partial');
    expect(art12?.missing).toEqual(['eu/fraud@1: no signed decision counts from b, which runs it']);
    const full = controlsOf(
      summarize([{ model: MODEL, digest: DIGEST }], [dep('a', 1, 'deploy'), counts('a', 3, 0)], RULE, AT),
    );
    expect(full.find((c) => c.id === 'eu-ai-act-art-12')?.status).toBe('supported');
    expect(full.find((c) => c.id === 'iso-42001-a.6')?.status).toBe('supported');
  });

  it('lists the evidence ids it rests on, sorted and once each', () => {
    const s = summarize([{ model: MODEL, digest: DIGEST }], [suspension('a', '2027-01-09T12:00:00Z')], RULE, AT);
    const c = controlsOf(s).find((x) => x.id === 'nist-ai-rmf-manage-2.4');
    expect(c?.evidence).toEqual([s.versions[0]?.killSwitch.records[0]?.evidence]);
    expect(c?.status).toBe('supported');
  });
});
