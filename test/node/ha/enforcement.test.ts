/**
 * The enforcement snapshot (node/ha/enforcement.ts): what the lease holder publishes is what a follower
 * decides by — rules, every registered version under both references, the kill-switch age — and a stored
 * snapshot that does not check is refused.
 */
import { describe, expect, it } from 'vitest';
import {
  buildSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  MAX_SNAPSHOT_BYTES,
  resolveIn,
} from '../../../node/ha/enforcement.ts';
import type { ResolvedModel } from '../../../node/registry/model-book.ts';
import { unknownModel } from '../../../node/registry/model-book.ts';

const held: ResolvedModel = {
  known: true,
  org: 'acme',
  name: 'scorer',
  version: '3',
  digest: `sha256:${'ab'.repeat(32)}`,
  status: 'approved',
  tier: 'high',
  stopped: { state: 'suspended', reason: 'drift', by: ['acme'] },
};
const local = {
  type: 'govfed.policy-local/v1',
  version: 2,
  updatedAt: '2026-12-01T00:00:00Z',
  rules: [{ id: 'r1', hook: 'decision', effect: 'deny', expression: 'false', message: 'never' }],
};

function snapshot(over: Partial<Parameters<typeof buildSnapshot>[0]> = {}) {
  return buildSnapshot({
    org: 'acme',
    leader: { holder: 'h1', api: 'http://127.0.0.1:7370' },
    now: new Date('2026-12-06T00:00:00Z'),
    rules: { baseline: undefined, local: local as never },
    models: {
      all: () => [{ org: 'acme', name: 'scorer', version: '3' }],
      resolve: (ref) => (ref === 'acme/scorer@3' || ref === 'scorer@3' ? held : unknownModel(ref)),
    },
    revocationAgeMs: 1234,
    ...over,
  });
}

describe('the enforcement snapshot', () => {
  it('round-trips: rules, both references of each version, the age, the leader', () => {
    const s = snapshot();
    const back = decodeSnapshot(encodeSnapshot(s), 'acme');
    expect(back).toEqual({ ...s, rules: { baseline: undefined, local } });
    expect(resolveIn(back, 'acme/scorer@3')).toEqual(held);
    expect(resolveIn(back, 'scorer@3')).toEqual(held);
    expect(back.revocationAgeMs).toBe(1234);
  });

  it('resolves what it does not hold as the registry does (unknown, name and version kept)', () => {
    const s = snapshot();
    expect(resolveIn(s, 'other/x@1')).toEqual(unknownModel('other/x@1'));
    expect(resolveIn(s, 'x@1')).toMatchObject({ known: false, name: 'x', version: '1', status: 'unknown' });
    expect(resolveIn(s, 'not a ref')).toMatchObject({ known: false, name: 'not a ref', version: '' });
  });

  it('keeps an unknown age finite (a follower adds to it)', () => {
    expect(snapshot({ revocationAgeMs: Number.POSITIVE_INFINITY }).revocationAgeMs).toBe(Number.MAX_SAFE_INTEGER);
  });

  describe('when a stored snapshot does not check', () => {
    const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    const good = JSON.parse(new TextDecoder().decode(encodeSnapshot(snapshot())));
    it.each([
      ['not JSON', new TextEncoder().encode('{')],
      ['another version', bytes({ ...good, v: 2 })],
      ['another org', bytes({ ...good, org: 'evil' })],
      ['no leader', bytes({ ...good, leader: 7 })],
      ['a bad time', bytes({ ...good, publishedAt: 'yesterday' })],
      ['a negative age', bytes({ ...good, revocationAgeMs: -1 })],
      ['a bad local rule', bytes({ ...good, rules: { local: { ...local, rules: [{ id: 1 }] } } })],
      ['a model without a status', bytes({ ...good, models: { 'a/b@1': { ...held, status: 1 } } })],
      ['too large', new Uint8Array(MAX_SNAPSHOT_BYTES + 1)],
    ])('refuses %s', (_what, b) => {
      expect(() => decodeSnapshot(b, 'acme')).toThrow();
    });
  });
});
