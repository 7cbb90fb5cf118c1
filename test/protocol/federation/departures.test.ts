import { describe, expect, it } from 'vitest';
import type { Charter } from '../../../protocol/federation/charter.ts';
import { removalVersions } from '../../../protocol/federation/departures.ts';
import { member, peer } from './fixtures.ts';

/** Version i+1 lists the members with these indexes (only `members` matters here). */
const chainOf = (...memberSets: number[][]) =>
  memberSets.map((set, i) => ({
    version: i + 1,
    charter: { members: set.map((m) => member(m)) } as unknown as Charter,
  }));

describe('removalVersions', () => {
  it('names each peer a version dropped with that version; members of the newest are not named', () => {
    const r = removalVersions(chainOf([0, 1, 2, 3], [0, 1, 2], [0, 1, 2, 4], [0, 2, 4]));
    expect(r).toEqual(
      new Map([
        [peer(3), 2],
        [peer(1), 4],
      ]),
    );
  });

  it('gives the newest removal of a peer removed, admitted again and removed again', () => {
    const r = removalVersions(chainOf([0, 1], [0], [0, 1], [0, 1, 2], [0, 2]));
    expect(r.get(peer(1))).toBe(5);
  });

  it('forgets a removed peer that is a member again', () => {
    expect(removalVersions(chainOf([0, 1], [0], [0, 1]))).toEqual(new Map());
  });

  it('is empty for a chain of one version, or none', () => {
    expect(removalVersions(chainOf([0, 1]))).toEqual(new Map());
    expect(removalVersions([])).toEqual(new Map());
  });
});
