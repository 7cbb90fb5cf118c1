import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EVENT_NAMES,
  formatEvent,
  isEventName,
  lineSink,
  parseEventLine,
  parseEvents,
  recordingSink,
} from '../../node/events.ts';
import { repoPath } from '../helpers/paths.ts';

/** Every `events('name', …)`-style emission in node/ (an EventSink call, the witness's #event, the log's onEvent, a chain module's event names). */
async function emittedNames(): Promise<Map<string, string[]>> {
  const dir = repoPath('node');
  const found = new Map<string, string[]>();
  for (const rel of await readdir(dir, { recursive: true })) {
    if (!rel.endsWith('.ts')) continue;
    const text = await readFile(join(dir, rel), 'utf8');
    // a call, or a replicated object's event names (node/chain/object.ts ChainEventNames)
    const calls =
      /(?:(?:events|#event|onEvent\?\.)\(\s*|\b(?:proposal|applied|fork|rejected|syncFailed|auditFailed|error|reloadFailed):\s*)'([a-z]+:[a-z-]+)'/g;
    for (const m of text.matchAll(calls)) {
      const name = m[1] as string;
      found.set(name, [...(found.get(name) ?? []), rel]);
    }
  }
  return found;
}

describe('the event catalogue', () => {
  it('names every event node/ emits, and only those', async () => {
    const emitted = await emittedNames();
    expect(emitted.size).toBeGreaterThan(30);
    expect([...emitted.keys()].filter((n) => !isEventName(n))).toEqual([]);
    expect(EVENT_NAMES.filter((n) => !emitted.has(n))).toEqual([]);
  });

  it('names are area:what', () => {
    for (const n of EVENT_NAMES) expect(n).toMatch(/^[a-z]+:[a-z-]+$/);
    expect(isEventName('toString')).toBe(false);
    expect(isEventName('federation:nonsense')).toBe(false);
  });
});

describe('formatEvent', () => {
  const time = new Date('2026-01-02T03:04:05.678Z');

  it('writes the daemon line byte for byte: time, event, org, then the fields; undefined left out', () => {
    const fields = {
      via: 'gossip',
      kind: 'charter',
      code: 'ERR_BAD_SIGNATURE',
      action: 'reject',
      peer: 'p',
      message: 'm',
    };
    const line = formatEvent(time, 'eu', 'federation:rejected', fields);
    expect(line).toBe(
      '{"time":"2026-01-02T03:04:05.678Z","event":"federation:rejected","org":"eu","via":"gossip","kind":"charter",' +
        '"code":"ERR_BAD_SIGNATURE","action":"reject","peer":"p","message":"m"}\n',
    );
    // what test/integration/federation.test.ts matches on
    expect(line).toMatch(
      /"event":"federation:rejected","org":"[a-z]+","via":"gossip","kind":"charter","code":"ERR_BAD_SIGNATURE","action":"reject"/,
    );
    expect(formatEvent(time, 'eu', 'log:node-init', { index: undefined })).toBe(
      '{"time":"2026-01-02T03:04:05.678Z","event":"log:node-init","org":"eu"}\n',
    );
  });

  it("keeps the daemon's org in a line about another org's record (the field names that org otherwise)", () => {
    const line = formatEvent(time, 'eu', 'registry:roster', { rosterOrg: 'us', version: 2, people: 3, via: 'sync' });
    const read = parseEventLine(line);
    expect(read).toMatchObject({ event: 'registry:roster', org: 'eu', rosterOrg: 'us' });
  });
});

describe('parseEvents', () => {
  it('reads back the events of one name from mixed output', () => {
    const lines: string[] = [];
    const sink = lineSink(
      (l) => lines.push(l),
      'us',
      () => new Date(0),
    );
    sink('policy:applied', { version: 3, digest: 'd', via: 'sync', rules: 2 });
    sink('daemon:stopping', {});
    sink('policy:applied', { version: 4, digest: 'e', via: 'gossip', from: 'x', rules: 1 });
    const text = `not json\n{broken\n${lines.join('')}`;
    const applied = parseEvents(text, 'policy:applied');
    expect(applied.map((e) => [e.version, e.via, e.org])).toEqual([
      [3, 'sync', 'us'],
      [4, 'gossip', 'us'],
    ]);
    expect(parseEvents(text, 'daemon:stopping')).toHaveLength(1);
    expect(parseEvents(text, 'daemon:stopped')).toEqual([]);
  });
});

describe('parseEventLine', () => {
  it('reads one line of any event name, and nothing else', () => {
    const line = formatEvent(new Date(0), 'us', 'daemon:stopping', {}).trimEnd();
    expect(parseEventLine(line)).toMatchObject({
      event: 'daemon:stopping',
      org: 'us',
      time: new Date(0).toISOString(),
    });
    for (const other of ['', 'not json', '{broken', '{"event":3}', '{"time":"x"}', 'null', '[1]']) {
      expect(parseEventLine(other)).toBeUndefined();
    }
  });
});

describe('recordingSink', () => {
  it('keeps events narrowed by name', () => {
    const { sink, events } = recordingSink();
    sink('token:created', { id: 'a', role: 'admin' });
    const e = events[0];
    expect(e?.event === 'token:created' && e.fields.role).toBe('admin');
  });
});
