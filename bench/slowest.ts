/**
 * Who made the slowest messages slow: a diagnosis report for the propagation benches (the charter bench
 * prints it with GOVFED_FED_DIAG=1).
 *
 * For each of the slowest messages: every receiver's delay after the sender's own event, the last
 * receiver and the next ones, the median receiver — one node far behind the others points at that node
 * (a collection, a stalled event loop), a slow median at the federation — and the last receiver's own
 * stderr lines from `BEFORE_MS` before the message to just after it arrived: its JSON events, and the
 * GCTRACE / STALL lines that bench/gc-observer.ts adds when the daemons preload it.
 *
 * Pure: it reads times and stderr text it is given.
 */

/** How far before the message the last receiver's lines are shown. */
const BEFORE_MS = 1500;
/** ... and after it arrived there. */
const AFTER_MS = 50;
const LINE_CHARS = 220;

export interface MessageTimes {
  /** The message's name in the report (e.g. "v31"). */
  readonly name: string;
  /** The sender's event time (ms since the epoch). */
  readonly sentAt: number;
  /** Each receiver's event time, by the receiver's index in `stderr`. */
  readonly receivedAt: ReadonlyMap<number, number>;
}

/** The epoch time a stderr line is about: a JSON event's `time`, or an observer line's first number. */
export function lineTime(line: string): number | undefined {
  const json = /"time":"([^"]+)"/.exec(line);
  if (json !== null) {
    const t = Date.parse(json[1] as string);
    return Number.isNaN(t) ? undefined : t;
  }
  const observer = /^(?:GCTRACE|STALL) (\d+) /.exec(line);
  return observer === null ? undefined : Number(observer[1]);
}

/** The report's lines for the `count` slowest of `messages`; `stderr(i)` is node i's stderr so far. */
export function slowestReport(
  messages: readonly MessageTimes[],
  stderr: (node: number) => string,
  count = 8,
): string[] {
  const delay = (m: MessageTimes) => Math.max(...m.receivedAt.values()) - m.sentAt;
  const worst = [...messages].sort((a, b) => delay(b) - delay(a)).slice(0, count);
  const out: string[] = [];
  for (const m of worst) {
    const byDelay = [...m.receivedAt].map(([i, at]) => [i, at - m.sentAt] as const).sort((a, b) => b[1] - a[1]);
    const [last, lastMs] = byDelay[0] ?? [-1, 0];
    const next = byDelay
      .slice(1, 5)
      .map(([i, ms]) => `node ${i} ${ms}`)
      .join(', ');
    const median = byDelay[Math.floor(byDelay.length / 2)]?.[1];
    out.push(`${m.name}: last node ${last} ${lastMs} ms; next ${next}; median receiver ${median} ms`);
    for (const line of stderr(last).split('\n')) {
      const at = lineTime(line);
      if (at === undefined || at < m.sentAt - BEFORE_MS || at > m.sentAt + lastMs + AFTER_MS) continue;
      out.push(`  ${at - m.sentAt >= 0 ? '+' : ''}${at - m.sentAt} ms  ${line.slice(0, LINE_CHARS)}`);
    }
  }
  return out;
}
