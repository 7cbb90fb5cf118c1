import { describe, expect, it } from 'vitest';
import { readEvents, retryDelayMs } from '../../../console/logic/live-client.ts';
import { formatSse } from '../../../node/api/routes/events-stream.ts';

/** A body that delivers `text` in chunks of `size` bytes (events split across reads). */
function body(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

describe('readEvents', () => {
  describe('when the node streams events split across reads, with comments', () => {
    it('hands each event with its JSON data, in order', async () => {
      const text =
        formatSse('ready', { topics: 'checkpoint' }) +
        ': keep-alive\n\n' +
        formatSse('policy', { what: 'policy:applied', version: 2 }) +
        'event: junk\ndata: not json\n\n' +
        formatSse('decision', { count: 1 });
      const got: [string, Record<string, unknown>][] = [];
      await readEvents(body(text, 7), (t, d) => got.push([t, d]));
      expect(got).toEqual([
        ['ready', { topics: 'checkpoint' }],
        ['policy', { what: 'policy:applied', version: 2 }],
        ['decision', { count: 1 }],
      ]);
    });
  });
});

describe('retryDelayMs', () => {
  it('doubles from 1 s up to 30 s', () => {
    expect([1, 2, 3, 5, 6, 20].map(retryDelayMs)).toEqual([1000, 2000, 4000, 16000, 30000, 30000]);
  });
});
