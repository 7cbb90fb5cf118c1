import { describe, expect, it } from 'vitest';
import { RevocationWatch } from '../../../node/federation/revocation-watch.ts';
import type { FreshnessStatement } from '../../../protocol/federation/index.ts';
import { type RevocationState, revocationStateOf } from '../../../protocol/registry/revocation-freshness.ts';

const T0 = Date.parse('2027-01-01T00:00:00Z');
const code = (c: string) => expect.objectContaining({ code: c });

function statement(org: string, at: number, revocations?: RevocationState): FreshnessStatement {
  return {
    type: 'govfed.charter-freshness/v1',
    federationId: 'ab'.repeat(32),
    org,
    peerId: `peer-${org}`,
    version: 1,
    digest: `sha256:${'00'.repeat(32)}`,
    issuedAt: new Date(at).toISOString(),
    expiresAt: new Date(at + 60_000).toISOString(),
    ...(revocations === undefined ? {} : { revocations }),
  };
}

describe('RevocationWatch', () => {
  const two = revocationStateOf(['aa', 'bb']);
  const one = revocationStateOf(['aa']);
  const otherTwo = revocationStateOf(['aa', 'cc']);

  it('counts confirmations of this node’s state by a majority, itself included', () => {
    let mine = two;
    const w = new RevocationWatch(() => mine);
    expect(w.ageMs(T0, 3)).toBe(Number.POSITIVE_INFINITY);
    expect(w.observe('b', statement('b', T0 - 5000, two))).toBe('confirms');
    expect(w.ageMs(T0, 3)).toBe(5000); // a and b of 3
    expect(w.observe('c', statement('c', T0 - 1000, one))).toBe('confirms'); // fewer records: nothing we lack
    expect(w.ageMs(T0, 3)).toBe(1000);
    expect(w.ageMs(T0, 5)).toBe(5000);
    // A record taken since: they still hold nothing this node lacks, so their word still counts…
    mine = revocationStateOf(['aa', 'bb', 'dd']);
    expect(w.ageMs(T0, 3)).toBe(1000);
    // …until one states a record this node lacks: then only the others count.
    expect(w.observe('c', statement('c', T0 - 500, revocationStateOf(['aa', 'bb', 'dd', 'ee'])))).toBe('behind');
    expect(w.ageMs(T0, 3)).toBe(5000);
  });

  it('says behind when a member holds more, and differs for another set of the same size', () => {
    const w = new RevocationWatch(() => one);
    expect(w.observe('b', statement('b', T0, two))).toBe('behind');
    const x = new RevocationWatch(() => two);
    expect(x.observe('b', statement('b', T0, otherTwo))).toBe('differs');
    expect(x.ageMs(T0, 3)).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses a rollback: a member stating fewer records than before', () => {
    const w = new RevocationWatch(() => two);
    w.observe('b', statement('b', T0, two));
    expect(() => w.observe('b', statement('b', T0 + 1000, one))).toThrow(code('ERR_REVOCATION_ROLLBACK'));
  });

  it('is silent without a registry or a stated state, and forgets former members', () => {
    expect(new RevocationWatch(() => undefined).observe('b', statement('b', T0, two))).toBe('silent');
    const w = new RevocationWatch(() => two);
    expect(w.observe('b', statement('b', T0))).toBe('silent');
    w.observe('c', statement('c', T0 - 10, two));
    w.retain((p) => p !== 'c');
    expect(w.ageMs(T0, 3)).toBe(Number.POSITIVE_INFINITY);
    expect(new RevocationWatch(() => undefined).ageMs(T0, 3)).toBe(0);
  });
});
