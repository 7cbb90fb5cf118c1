/**
 * Sync heads (node/federation/heads.ts): heads count only in the round they were heard in; equality;
 * the digest over parts.
 */
import { describe, expect, it } from 'vitest';
import { byKey, headOf, PeerHeads, sameHead } from '../../../node/federation/heads.ts';

const H = (height: number, c: string) => ({ height, digest: `sha256:${c.repeat(64)}` });

describe('PeerHeads', () => {
  it('gives the heads heard in this round only', () => {
    const heads = new PeerHeads();
    heads.newRound();
    heads.note('a', { models: H(1, 'a') });
    expect(heads.get('a', 'models')).toEqual(H(1, 'a'));
    expect(heads.get('a', 'policy')).toBeUndefined();
    expect(heads.get('b', 'models')).toBeUndefined();
    heads.newRound();
    expect(heads.get('a', 'models')).toBeUndefined();
    heads.note('a', { models: H(2, 'b') });
    expect(heads.get('a', 'models')).toEqual(H(2, 'b'));
    heads.forget('a');
    expect(heads.get('a', 'models')).toBeUndefined();
  });

  it('keeps at most 1,024 peers, the oldest heard going first', () => {
    const heads = new PeerHeads();
    for (let i = 0; i <= 1024; i++) heads.note(`p${i}`, { models: H(i, 'c') });
    expect(heads.get('p0', 'models')).toBeUndefined();
    expect(heads.get('p1', 'models')).toEqual(H(1, 'c'));
    expect(heads.get('p1024', 'models')).toEqual(H(1024, 'c'));
  });
});

describe('sameHead', () => {
  it('is true only for two known heads of the same height and digest', () => {
    expect(sameHead(H(1, 'a'), H(1, 'a'))).toBe(true);
    expect(sameHead(H(1, 'a'), H(2, 'a'))).toBe(false);
    expect(sameHead(H(1, 'a'), H(1, 'b'))).toBe(false);
    expect(sameHead(undefined, H(1, 'a'))).toBe(false);
    expect(sameHead(undefined, undefined)).toBe(false);
  });
});

describe('headOf', () => {
  it('digests the parts in order, each ended by a newline', () => {
    expect(headOf(0, [])).toEqual({
      height: 0,
      digest: 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
    expect(headOf(2, ['a', 'b']).digest).toBe(headOf(2, ['a\nb']).digest);
    expect(headOf(2, ['a', 'b']).digest).not.toBe(headOf(2, ['b', 'a']).digest);
    expect(headOf(2, ['a', 'b']).digest).not.toBe(headOf(2, ['ab']).digest);
  });
});

describe('byKey', () => {
  it('sorts entries by key in code-unit order, whatever order they came in', () => {
    const m = new Map([
      ['b', 2],
      ['B', 3],
      ['a', 1],
    ]);
    expect(byKey(m)).toEqual([
      ['B', 3],
      ['a', 1],
      ['b', 2],
    ]);
  });
});
