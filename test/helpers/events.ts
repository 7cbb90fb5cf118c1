/**
 * The daemons' event lines (stderr, one JSON object per line with an ISO `time`, node/daemon.ts), read
 * back to measure how long an object took to reach every node: all daemons of a test run on one machine,
 * so their clocks agree to the millisecond.
 */
import { type EventLine, type EventName, parseEvents } from '../../node/events.ts';
import type { DaemonProcess } from './daemon.ts';

/** One event line a daemon printed (node/events.ts's catalogue types its fields). */
export type DaemonEvent<E extends EventName = EventName> = EventLine<E>;

/** Every event named `name` that `d` has printed so far (a line cut by the pipe is not an event). */
export function eventsOf<E extends EventName>(d: DaemonProcess, name: E): DaemonEvent<E>[] {
  return parseEvents(d.stderr, name);
}

/**
 * For each object (events of `name` grouped by `key`; undefined skips an event), the ms from its first
 * acceptance at any node to its first acceptance at each other node that accepted it.
 */
export function propagationDelays<E extends EventName>(
  daemons: readonly DaemonProcess[],
  name: E,
  key: (e: DaemonEvent<E>) => string | undefined,
  since = 0,
): number[] {
  const byKey = new Map<string, number[]>();
  for (const d of daemons) {
    const firstAt = new Map<string, number>();
    for (const e of eventsOf(d, name)) {
      const k = key(e);
      const t = Date.parse(e.time);
      if (k === undefined || t < since || firstAt.has(k)) continue;
      firstAt.set(k, t);
    }
    for (const [k, t] of firstAt) byKey.set(k, [...(byKey.get(k) ?? []), t]);
  }
  const delays: number[] = [];
  for (const times of byKey.values()) {
    const [first, ...rest] = [...times].sort((a, b) => a - b);
    for (const t of rest) delays.push(t - (first as number));
  }
  return delays;
}

/** The p-th percentile (0..100, nearest rank) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** "p50 X ms, p99 Y ms, max Z ms (n samples)". */
export function summary(values: readonly number[]): string {
  return `p50 ${percentile(values, 50)} ms, p99 ${percentile(values, 99)} ms, max ${percentile(values, 100)} ms (n = ${values.length})`;
}
