import { describe, expect, it } from 'vitest';
import { lineTime, type MessageTimes, slowestReport } from '../../bench/slowest.ts';

const T0 = Date.parse('2026-12-07T12:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const event = (ms: number, name: string) => `{"time":"${iso(ms)}","event":"${name}","org":"org1"}`;

describe('lineTime', () => {
  it('reads a JSON event line, and the observer lines of bench/gc-observer.ts', () => {
    expect(lineTime(event(5, 'federation:charter'))).toBe(T0 + 5);
    expect(lineTime(`GCTRACE ${T0 + 7} major 230.3`)).toBe(T0 + 7);
    expect(lineTime(`STALL ${T0 + 9} 787`)).toBe(T0 + 9);
  });

  it('has no time for other lines', () => {
    expect(lineTime('(node:1) Warning: something')).toBeUndefined();
    expect(lineTime('{"time":"not a date","event":"x"}')).toBeUndefined();
    expect(lineTime('')).toBeUndefined();
  });
});

describe('slowestReport', () => {
  /** A message sent at T0 + `sent` ms, received by nodes 1, 2, 3 at T0 + each of `received`. */
  const message = (name: string, sent: number, received: readonly number[]): MessageTimes => ({
    name,
    sentAt: T0 + sent,
    receivedAt: new Map(received.map((at, i) => [i + 1, T0 + at])),
  });
  const messages = [
    message('v1', 0, [40, 50, 60]),
    message('v2', 1000, [1900, 1100, 1120]),
    message('v3', 2000, [2030, 2300, 2020]),
  ];
  const stderr = (node: number) =>
    node === 1
      ? [
          event(-1000, 'too early for v2'),
          event(200, 'witness:witnessed'),
          `STALL ${T0 + 1050} 700`,
          `GCTRACE ${T0 + 1060} major 612.0`,
          'not a timed line',
          event(1900, 'federation:charter'),
          event(1960, 'just too late for v2'),
        ].join('\n')
      : event(2290, `node ${node} line`);

  it('names the slowest messages first, each with its last receiver, the next ones and the median', () => {
    const lines = slowestReport(messages, stderr, 2).filter((l) => !l.startsWith('  '));
    expect(lines).toEqual([
      'v2: last node 1 900 ms; next node 3 120, node 2 100; median receiver 120 ms',
      'v3: last node 2 300 ms; next node 1 30, node 3 20; median receiver 30 ms',
    ]);
  });

  it("shows the last receiver's timed lines from 1.5 s before the message to just after its arrival", () => {
    const report = slowestReport(messages, stderr, 1);
    expect(report.slice(1)).toEqual([
      `  -800 ms  ${event(200, 'witness:witnessed')}`,
      `  +50 ms  STALL ${T0 + 1050} 700`,
      `  +60 ms  GCTRACE ${T0 + 1060} major 612.0`,
      `  +900 ms  ${event(1900, 'federation:charter')}`,
    ]);
  });
});
