import { describe, expect, it } from 'vitest';
import { MAX_KEPT, WindowBook } from '../../../node/monitoring/window-book.ts';
import type { MonitorWindow } from '../../../protocol/monitoring/statement.ts';

const ENV = { payloadType: 'x', payload: '', signatures: [] };
function win(over: Partial<MonitorWindow>): MonitorWindow {
  return {
    type: 'govfed.monitor-window/v1',
    federation: 'ab'.repeat(32),
    org: 'b',
    model: { org: 'a', name: 'm', version: '1' },
    digest: `sha256:${'cd'.repeat(32)}`,
    contract: `sha256:${'ef'.repeat(32)}`,
    monitor: 0,
    metric: 'denial_rate',
    seq: 1,
    from: '2027-01-01T00:00:00Z',
    to: '2027-01-01T00:01:00Z',
    decisions: 2,
    shadow: false,
    counts: { n: 2, hits: 0 },
    value: 0,
    threshold: 0.5,
    breach: false,
    ...over,
  };
}

describe('WindowBook', () => {
  it('keeps each series in seq order, refuses a held seq, and numbers the next', () => {
    const book = new WindowBook();
    expect(book.add({ window: win({ seq: 2 }), envelope: ENV })).toBe(true);
    expect(book.add({ window: win({ seq: 1 }), envelope: ENV })).toBe(true);
    expect(book.add({ window: win({ seq: 2, value: 1 }), envelope: ENV })).toBe(false);
    expect(book.nextSeq(win({}))).toBe(3);
    expect(book.of('a/m@1').map((h) => h.window.seq)).toEqual([1, 2]);
  });

  it('keeps the newest MAX_KEPT windows of a series', () => {
    const book = new WindowBook();
    for (let seq = 1; seq <= MAX_KEPT + 3; seq++) book.add({ window: win({ seq }), envelope: ENV });
    const seqs = book.of('a/m@1').map((h) => h.window.seq);
    expect(seqs).toHaveLength(MAX_KEPT);
    expect(seqs[0]).toBe(4);
    expect(book.add({ window: win({ seq: 1 }), envelope: ENV })).toBe(false);
  });

  it("flags the version while an org's latest window of a monitor breaches", () => {
    const book = new WindowBook();
    book.add({ window: win({ seq: 1, value: 1, breach: true }), envelope: ENV });
    book.add({ window: win({ org: 'c', seq: 1 }), envelope: ENV });
    expect(book.breaches('a/m@1').map((h) => h.window.org)).toEqual(['b']);
    book.add({ window: win({ seq: 2 }), envelope: ENV });
    expect(book.breaches('a/m@1')).toEqual([]);
    expect(book.of('a/m@1', true).map((h) => [h.window.org, h.window.seq])).toEqual([
      ['b', 2],
      ['c', 1],
    ]);
  });
});
