import { describe, expect, it } from 'vitest';
import { type FederationStatus, federationAlerts } from '../../../console/logic/federation-view.ts';

const member = (org: string, extra: Partial<FederationStatus['members'][number]> = {}) => ({
  org,
  peerId: `p-${org}`,
  jurisdiction: 'EU',
  self: false,
  connected: true,
  lastSeen: '2026-01-01T00:00:00Z',
  statedVersion: 3,
  ...extra,
});

const status = (members: FederationStatus['members'], modules: FederationStatus['modules'] = {}): FederationStatus => ({
  federated: true,
  charterVersion: 3,
  members,
  proposals: [],
  lastSync: null,
  modules,
});

describe('federationAlerts', () => {
  describe('when all is well', () => {
    it('has none', () => {
      expect(federationAlerts(status([member('eu', { self: true }), member('us')]))).toEqual([]);
    });
  });

  describe('when the node is stale, a member equivocated, one is behind and one away', () => {
    it('lists each, critical ones for staleness and equivocation', () => {
      const a = federationAlerts(
        status(
          [
            member('eu', { self: true }),
            member('us', { misbehaving: true }),
            member('apac', { statedVersion: 2, connected: false }),
          ],
          { freshness: { stale: true, reason: 'no majority' } },
        ),
      );
      expect(a.map((x) => [x.level, x.org ?? null])).toEqual([
        ['critical', null],
        ['critical', 'us'],
        ['warning', 'apac'],
        ['warning', 'apac'],
      ]);
      expect(a[0]?.text).toContain('no majority');
    });
  });
});
