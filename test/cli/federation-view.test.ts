import { describe, expect, it } from 'vitest';
import { formatFederationStatus, formatOperation } from '../../cli/federation-view.ts';

const base = {
  federated: true,
  id: 'ab'.repeat(32),
  name: 'f',
  charterVersion: 3,
  charterDigest: `sha256:${'cd'.repeat(32)}`,
  thresholds: { admission: 1, policy: 1, charter: 1 },
  peerId: '12D3KooWself',
  addresses: [],
  lastSync: null,
  rejected: {},
  proposals: [],
  members: [
    {
      org: 'eu',
      jurisdiction: 'EU',
      peerId: '12D3KooWself',
      self: true,
      connected: false,
      lastSeen: null,
      statedVersion: 3,
    },
    {
      org: 'us',
      jurisdiction: 'US',
      peerId: '12D3KooWus',
      self: false,
      connected: true,
      lastSeen: null,
      statedVersion: 2,
    },
    {
      org: 'apac',
      jurisdiction: 'SG',
      peerId: '12D3KooWapac',
      self: false,
      connected: false,
      lastSeen: null,
      statedVersion: null,
    },
  ],
};

function withFreshness(f: Record<string, unknown>) {
  return { ...base, modules: { freshness: { freshFrom: 1, needed: 2, reason: 'only 1 of 3 members confirm', ...f } } };
}

describe('formatFederationStatus', () => {
  describe('when the node reports charter freshness', () => {
    it('prints fresh, with how many members confirm', () => {
      const reason = '3 of 3 members confirm charter version 3';
      const out = formatFederationStatus(withFreshness({ fresh: true, stale: false, freshFrom: 3, reason }));
      expect(out).toMatch(/charter freshness\s+fresh: 3 of 3 members confirm charter version 3\n/);
    });
    it('prints "not confirmed yet" within the window', () => {
      expect(formatFederationStatus(withFreshness({ fresh: false, stale: false }))).toMatch(
        /charter freshness\s+not confirmed yet: only 1 of 3 members confirm\n/,
      );
    });
    it('prints STALE with the last fresh time', () => {
      const out = formatFederationStatus(
        withFreshness({ fresh: false, stale: true, lastFreshAt: '2026-01-01T00:00:00.000Z' }),
      );
      expect(out).toMatch(
        /charter freshness\s+STALE: only 1 of 3 members confirm; last fresh 2026-01-01T00:00:00.000Z\n/,
      );
    });
    it("shows each member's stated version", () => {
      const out = formatFederationStatus(withFreshness({ fresh: true, stale: false }));
      expect(out).toContain('STATES');
      expect(out).toMatch(/us\s+US\s+12D3KooWus\s+yes\s+-\s+v2/);
      expect(out).toMatch(/apac\s+SG\s+12D3KooWapac\s+no\s+-\s+-/);
    });
  });
  describe('when the node has no freshness module', () => {
    it('prints no freshness row', () => {
      expect(formatFederationStatus({ ...base, modules: {} })).not.toContain('charter freshness');
    });
  });
});

describe('formatOperation after a join', () => {
  it('says when no bootstrap member took the admission, and nothing more when one did', () => {
    const none = formatOperation({ status: base, handoff: { delivered: 0, bootstrap: 2 } });
    expect(none).toContain('federation ');
    expect(none).toContain("warning: none of the invite's 2 bootstrap member(s) took the admission");
    const one = formatOperation({ status: base, handoff: { delivered: 1, bootstrap: 2 } });
    expect(one).not.toContain('warning');
    expect(one).toBe(formatOperation({ status: base }));
  });
});
