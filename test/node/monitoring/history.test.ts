import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NodeError } from '../../../node/errors.ts';
import {
  decodeHistoryCursor,
  encodeHistoryCursor,
  historyKey,
  historyPage,
  MAX_HISTORY_LIMIT,
} from '../../../node/monitoring/history.ts';
import type { HeldWindow } from '../../../node/monitoring/window-book.ts';
import { WINDOW } from '../../helpers/monitor-window.ts';

const ENV = { payloadType: 'x', payload: '', signatures: [] };
const at = (s: number) => new Date(Date.UTC(2027, 0, 1, 0, 0, s)).toISOString();
function held(org: string, monitor: number, seq: number, to: number, shadow = false): HeldWindow {
  return {
    window: { type: 'govfed.monitor-window/v1', ...WINDOW, org, monitor, seq, to: at(to), shadow },
    envelope: ENV,
  };
}
const label = (h: HeldWindow) => `${h.window.org}/${h.window.monitor}/${h.window.seq}`;
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as NodeError).code;
  }
  return 'no error';
};

const HELD = [
  held('us', 0, 2, 20),
  held('eu', 1, 1, 5),
  held('us', 0, 1, 10),
  held('eu', 0, 1, 10),
  held('apac', 0, 1, 30),
];

describe('historyPage', () => {
  describe('when every window fits one page', () => {
    it('answers them oldest first (to, then org, monitor, seq) with no next', () => {
      const page = historyPage(HELD, {});
      expect(page.windows.map(label)).toEqual(['eu/1/1', 'eu/0/1', 'us/0/1', 'us/0/2', 'apac/0/1']);
      expect(page.next).toBeUndefined();
    });
  });

  describe('when members write their times with and without a fraction', () => {
    it('orders by time, not by the text', () => {
      const a = held('us', 0, 1, 0);
      a.window.to = '2027-01-01T00:01:00Z';
      const b = held('eu', 0, 1, 0);
      b.window.to = '2027-01-01T00:01:00.500Z';
      expect(historyPage([b, a], {}).windows.map(label)).toEqual(['us/0/1', 'eu/0/1']);
    });
  });

  describe('when filtered by member and monitor', () => {
    it('keeps only that org’s windows of that monitor', () => {
      expect(historyPage(HELD, { member: 'us' }).windows.map(label)).toEqual(['us/0/1', 'us/0/2']);
      expect(historyPage(HELD, { member: 'eu', monitor: 1 }).windows.map(label)).toEqual(['eu/1/1']);
      expect(historyPage(HELD, { member: 'nobody' }).windows).toEqual([]);
    });
  });

  describe('when paged', () => {
    it('continues exactly after the cursor, and a window arriving between pages is not lost if newer', () => {
      const first = historyPage(HELD, { limit: 2 });
      expect(first.windows.map(label)).toEqual(['eu/1/1', 'eu/0/1']);
      expect(first.next).toBeDefined();
      const later = [...HELD, held('us', 0, 3, 40)];
      const second = historyPage(later, { limit: 2, cursor: first.next as string });
      expect(second.windows.map(label)).toEqual(['us/0/1', 'us/0/2']);
      const third = historyPage(later, { limit: 2, cursor: second.next as string });
      expect(third.windows.map(label)).toEqual(['apac/0/1', 'us/0/3']);
      expect(third.next).toBeUndefined();
    });

    it('reads every window exactly once, whatever the page size (property)', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(
            fc.record({
              org: fc.constantFrom('eu', 'us', 'apac'),
              monitor: fc.integer({ min: 0, max: 3 }),
              seq: fc.integer({ min: 1, max: 50 }),
              to: fc.integer({ min: 0, max: 59 }),
              shadow: fc.boolean(),
            }),
            { selector: (r) => `${r.org}/${r.monitor}/${r.seq}/${r.shadow}`, maxLength: 60 },
          ),
          fc.integer({ min: 1, max: 7 }),
          (rows, limit) => {
            const all = rows.map((r) => held(r.org, r.monitor, r.seq, r.to, r.shadow));
            const seen: string[] = [];
            let cursor: string | undefined;
            for (let i = 0; i < 100; i++) {
              const page = historyPage(all, { limit, ...(cursor === undefined ? {} : { cursor }) });
              seen.push(...page.windows.map(historyKey));
              if (page.next === undefined) break;
              cursor = page.next;
            }
            expect(seen).toEqual(all.map(historyKey).sort());
          },
        ),
      );
    });
  });

  describe('when the query is out of bounds', () => {
    it('refuses a limit outside 1..MAX_HISTORY_LIMIT (ERR_VALIDATION)', () => {
      expect(codeOf(() => historyPage(HELD, { limit: 0 }))).toBe('ERR_VALIDATION');
      expect(codeOf(() => historyPage(HELD, { limit: MAX_HISTORY_LIMIT + 1 }))).toBe('ERR_VALIDATION');
    });
  });
});

describe('decodeHistoryCursor', () => {
  it('gives back the key encodeHistoryCursor wrote', () => {
    const key = historyKey(held('us', 2, 7, 3, true));
    expect(decodeHistoryCursor(encodeHistoryCursor(key))).toBe(key);
  });

  describe('when the cursor was not written by this node (attacker-controlled)', () => {
    it.each([
      ['empty', ''],
      ['not base64url', 'a+b/'],
      ['another kind of cursor', Buffer.from('d1.2027-01-01T00:00:00.000.0000000000000001').toString('base64url')],
      ['a key of the wrong shape', encodeHistoryCursor('2027-01-01T00:00:00Z\nus\n1\n0\n1')],
      ['a newline smuggled into the org', encodeHistoryCursor(`${'1'.repeat(15)}\nu\ns\n000001\n0\n${'0'.repeat(16)}`)],
      ['too long', 'A'.repeat(300)],
    ])('refuses %s (ERR_INVALID_CURSOR)', (_, cursor) => {
      expect(codeOf(() => decodeHistoryCursor(cursor))).toBe('ERR_INVALID_CURSOR');
    });
  });
});
