/**
 * A follower's enforcement view (node/ha/follower-enforcement.ts) over a stand-in snapshot store (the
 * real store is a node_state row: test/integration/ha.test.ts): not ready until a snapshot is read, the
 * rules' listeners told when they change, a bad snapshot reported and not used, the kill-switch age growing
 * with the time since it was published.
 */
import { describe, expect, it, vi } from 'vitest';
import { buildSnapshot, encodeSnapshot } from '../../../node/ha/enforcement.ts';
import { FollowerEnforcement } from '../../../node/ha/follower-enforcement.ts';
import { unknownModel } from '../../../node/registry/model-book.ts';

/** A stand-in store whose "database clock" the test sets (`db.clockMs`; default: this machine's). */
function store() {
  let row: { body: Uint8Array; version: bigint } | undefined;
  const db = { clockMs: undefined as number | undefined };
  const clock = async () => db.clockMs ?? Date.now();
  return {
    db,
    clock,
    read: async () => ({ stored: row, clockMs: await clock() }),
    write: async (body: Uint8Array) => {
      row = { body, version: (row?.version ?? 0n) + 1n };
    },
    set(body: Uint8Array) {
      row = { body, version: (row?.version ?? 0n) + 1n };
    },
  };
}

const snap = (version: number, publishedAt = new Date(), age = 0) =>
  encodeSnapshot(
    buildSnapshot({
      org: 'acme',
      leader: { holder: 'h', api: 'http://leader' },
      now: publishedAt,
      rules: {
        baseline: undefined,
        local: { type: 'govfed.policy-local/v1', version, updatedAt: '2026-12-01T00:00:00Z', rules: [] } as never,
      },
      models: { all: () => [], resolve: unknownModel },
      revocationAgeMs: age,
    }),
  );

describe('FollowerEnforcement', () => {
  it('is not ready before a snapshot, then decides by it and hears rule changes', async () => {
    const s = store();
    const events: string[] = [];
    const f = new FollowerEnforcement({ store: s, org: 'acme', events: (e) => events.push(e) });
    await f.start();
    try {
      expect(f.ready).toBe(false);
      expect(() => f.resolve('a@1')).toThrow();
      expect(f.revocationAgeMs()).toBe(Number.POSITIVE_INFINITY);
      const seen: number[] = [];
      f.onRulesChanged((r) => seen.push(r.local?.version ?? -1));
      s.set(snap(1));
      await f.poll();
      expect(f.ready).toBe(true);
      expect(f.snapshot?.leader.api).toBe('http://leader');
      expect(f.enforced.local?.version).toBe(1);
      s.set(snap(1)); // same rules, new version of the row: no change told
      await f.poll();
      s.set(snap(2));
      await f.poll();
      expect(seen).toEqual([1, 2]);
      // A snapshot that does not check: reported, the last good one stays.
      s.set(new TextEncoder().encode('{"v":1}'));
      await f.poll();
      expect(events).toContain('ha:snapshot-invalid');
      expect(f.enforced.local?.version).toBe(2);
    } finally {
      f.stop();
    }
  });

  it('ages the kill-switch state with the time since the snapshot was published', async () => {
    const s = store();
    s.set(snap(1, new Date(Date.now() - 60_000), 5000));
    const f = new FollowerEnforcement({ store: s, org: 'acme', events: () => {} });
    await f.start();
    try {
      expect(f.revocationAgeMs()).toBeGreaterThanOrEqual(65_000);
      expect(f.revocationAgeMs()).toBeLessThan(70_000);
    } finally {
      f.stop();
    }
  });

  it("measures that time on the database's clock, not by comparing this machine's clock with the publisher's", async () => {
    // The lease holder published at the database's 12:00:00 with a 5 s old kill-switch state; the
    // database's clock is now 12:01:00 — and this machine's clock is an hour behind both.
    const s = store();
    const published = Date.parse('2026-12-06T12:00:00Z');
    s.set(snap(1, new Date(published), 5000));
    s.db.clockMs = published + 60_000;
    vi.useFakeTimers({ now: published - 3_600_000, toFake: ['Date'] });
    const f = new FollowerEnforcement({ store: s, org: 'acme', events: () => {} });
    try {
      await f.poll();
      expect(f.revocationAgeMs()).toBeGreaterThanOrEqual(65_000); // by this machine's clock it would be 5 s
      expect(f.revocationAgeMs()).toBeLessThan(66_000);
      // It keeps growing between reads (and while the database is away) on this process's monotonic clock.
      await new Promise((r) => setTimeout(r, 120));
      expect(f.revocationAgeMs()).toBeGreaterThanOrEqual(65_100);
      // A later read of the same snapshot re-anchors on the database's clock.
      s.db.clockMs = published + 120_000;
      await f.poll();
      expect(f.revocationAgeMs()).toBeGreaterThanOrEqual(125_000);
      expect(f.revocationAgeMs()).toBeLessThan(126_000);
    } finally {
      vi.useRealTimers();
      f.stop();
    }
  });
});
