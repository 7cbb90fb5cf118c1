/**
 * The lease holder's publisher (node/ha/publisher.ts): a snapshot at start, again when its content
 * changes (not when only its time does), at least every heartbeat, and a failed write reported and tried
 * again.
 */
import { describe, expect, it } from 'vitest';
import { buildSnapshot, decodeSnapshot } from '../../../node/ha/enforcement.ts';
import { EnforcementPublisher } from '../../../node/ha/publisher.ts';
import { unknownModel } from '../../../node/registry/model-book.ts';

describe('EnforcementPublisher', () => {
  it('publishes at start, on a change, on the heartbeat; reports a failed write and tries again', async () => {
    const written: Uint8Array[] = [];
    let fail = false;
    let localVersion = 1;
    const dbClock = Date.parse('2026-12-06T12:00:00Z'); // the database's clock, not this machine's
    const events: string[] = [];
    const p = new EnforcementPublisher({
      store: {
        read: async () => ({ stored: undefined, clockMs: dbClock }),
        clock: async () => dbClock,
        write: async (b) => {
          if (fail) throw new Error('the lease is gone');
          written.push(b);
        },
      },
      events: (e) => events.push(e),
      intervalMs: 60_000,
      heartbeatMs: 200,
      build: (now) =>
        buildSnapshot({
          org: 'acme',
          leader: { holder: 'h' },
          now,
          rules: {
            baseline: undefined,
            local: {
              type: 'govfed.policy-local/v1',
              version: localVersion,
              updatedAt: '2026-12-01T00:00:00Z',
              rules: [],
            } as never,
          },
          models: { all: () => [], resolve: unknownModel },
          revocationAgeMs: 0,
        }),
    });
    await p.start();
    try {
      expect(written).toHaveLength(1);
      // stamped with the database's clock
      expect(decodeSnapshot(written[0] as Uint8Array, 'acme').publishedAt).toBe('2026-12-06T12:00:00.000Z');
      await p.look(); // nothing changed, heartbeat not due
      expect(written).toHaveLength(1);
      localVersion = 2;
      await p.look();
      expect(written).toHaveLength(2);
      expect(decodeSnapshot(written[1] as Uint8Array, 'acme').rules.local?.version).toBe(2);
      await new Promise((r) => setTimeout(r, 250));
      await p.look(); // the heartbeat
      expect(written).toHaveLength(3);
      fail = true;
      localVersion = 3;
      await p.look();
      expect(events).toEqual(['ha:publish-failed']);
      fail = false;
      await p.look(); // tried again: the change was not lost
      expect(decodeSnapshot(written[3] as Uint8Array, 'acme').rules.local?.version).toBe(3);
    } finally {
      await p.stop();
    }
  });
});
