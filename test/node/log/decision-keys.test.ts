import { describe, expect, it } from 'vitest';
import { decisionFacts, searchKeys, timeKey } from '../../../node/log/decision-keys.ts';
import { encodeLeaf } from '../../../protocol/audit/index.ts';

const decision = (extra: Record<string, unknown> = {}) =>
  encodeLeaf({
    v: 1,
    type: 'decision',
    model: 'a/b',
    time: '2026-01-02T03:04:05.6Z',
    decisionId: 'd-1',
    recordDigest: `sha256:${'0'.repeat(64)}`,
    outcome: 'ok',
    ...extra,
  } as Parameters<typeof encodeLeaf>[0]);

describe('timeKey', () => {
  it('cuts or pads the fraction to milliseconds, so byte order is time order', () => {
    expect(timeKey('2026-01-02T03:04:05Z')).toBe('2026-01-02T03:04:05.000');
    expect(timeKey('2026-01-02T03:04:05.6Z')).toBe('2026-01-02T03:04:05.600');
    expect(timeKey('2026-01-02T03:04:05.123456789Z')).toBe('2026-01-02T03:04:05.123');
    const times = ['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.5Z', '2026-01-02T03:04:06Z'];
    expect(times.map(timeKey).sort()).toEqual(times.map(timeKey));
  });
});

describe('searchKeys', () => {
  it('gives a decision its all, model (hex), verdict and flag keys, ordered by time then index', () => {
    const keys = searchKeys(decision({ policyVersion: 1, verdict: 'denied', deny: ['x', 'local:y'] }), 10);
    const at = '2026-01-02T03:04:05.600/000000000000000a';
    expect(keys).toEqual([`s/t/${at}`, `s/m/612f62/${at}`, `s/v/denied/${at}`, `s/f/x/${at}`, `s/f/local:y/${at}`]);
  });

  it('files a decision without a verdict under none, and gives other leaves no keys', () => {
    expect(searchKeys(decision(), 1)).toContain('s/v/none/2026-01-02T03:04:05.600/0000000000000001');
    const gov = encodeLeaf({
      v: 1,
      type: 'governance',
      kind: 'node.init',
      time: '2026-01-01T00:00:00Z',
      digest: `sha256:${'0'.repeat(64)}`,
      ref: '"type":"decision"',
    });
    expect(searchKeys(gov, 0)).toEqual([]);
    expect(decisionFacts(gov)).toBeUndefined();
  });
});
