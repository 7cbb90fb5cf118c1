/**
 * The windows of a model version over time (GET /v1/models/{name}/{version}/monitoring/windows): every
 * window this node holds of it — its own and every member's, at most MAX_KEPT per org × monitor series
 * (window-book.ts) — oldest first, filtered by the org that measured them and the monitor, in pages.
 *
 * Order: the window's end (`to`, as a time), then org, monitor, live before shadow, seq — a total order, so a
 * page's cursor (the sort key of its last window) continues exactly where it stopped even when new
 * windows arrive between two pages (they sort after, or are skipped if older than the cursor).
 *
 * The cursor is opaque to clients: base64url of `w1\n<sort key>`. One a client made up is refused
 * (ERR_INVALID_CURSOR), never guessed at.
 */
import { NodeError } from '../errors.ts';
import type { HeldWindow } from './window-book.ts';

export const DEFAULT_HISTORY_LIMIT = 100;
/** A page's most windows: a window statement is ≤ 16 KiB, so a page stays under ~3 MiB. */
export const MAX_HISTORY_LIMIT = 200;
/** The largest monitor index a query names (a contract's monitors are far fewer). */
export const MAX_MONITOR_INDEX = 63;
/** The longest cursor accepted (a sort key holds a time, an org name and three numbers). */
export const MAX_CURSOR_CHARS = 256;

export interface HistoryQuery {
  /** Only the windows measured by this org. */
  member?: string;
  /** Only the windows of this monitor (its index in the contract's requiredMonitors). */
  monitor?: number;
  limit?: number;
  cursor?: string;
}

export interface HistoryPage {
  windows: HeldWindow[];
  /** Present when more windows follow: the cursor of the next page. */
  next?: string;
}

/** The sort key of a held window (fixed-width numbers, so string order is the order above). */
export function historyKey(h: HeldWindow): string {
  const w = h.window;
  // The end as milliseconds (RFC 3339 strings with and without a fraction do not sort as times).
  const ms = Date.parse(w.to);
  return [
    String(Number.isFinite(ms) && ms >= 0 ? ms : 0).padStart(15, '0'),
    w.org,
    String(w.monitor).padStart(6, '0'),
    w.shadow ? '1' : '0',
    String(w.seq).padStart(16, '0'),
  ].join('\n');
}

const KEY_RE = /^[0-9]{15}\n[^\n]{1,64}\n[0-9]{6}\n[01]\n[0-9]{16}$/;

export function encodeHistoryCursor(key: string): string {
  return Buffer.from(`w1\n${key}`, 'utf8').toString('base64url');
}

/** The sort key a cursor stands for (attacker-controlled): ERR_INVALID_CURSOR unless this node could have written it. */
export function decodeHistoryCursor(cursor: string): string {
  const bad = () =>
    new NodeError('ERR_INVALID_CURSOR', 'cursor is not one this node gave out (pass the `next` of a page as is)');
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('w1\n')) throw bad();
  const key = text.slice(3);
  if (!KEY_RE.test(key) || encodeHistoryCursor(key) !== cursor) throw bad();
  return key;
}

/** Checks a query's bounds (attacker-controlled): ERR_VALIDATION, ERR_INVALID_CURSOR. Returns the cursor's key. */
export function checkHistoryQuery(q: HistoryQuery): string | undefined {
  const limit = q.limit ?? DEFAULT_HISTORY_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) {
    throw new NodeError('ERR_VALIDATION', `limit must be 1..${MAX_HISTORY_LIMIT}`);
  }
  if (q.monitor !== undefined && (!Number.isSafeInteger(q.monitor) || q.monitor < 0 || q.monitor > MAX_MONITOR_INDEX)) {
    throw new NodeError('ERR_VALIDATION', `monitor must be 0..${MAX_MONITOR_INDEX}`);
  }
  return q.cursor === undefined ? undefined : decodeHistoryCursor(q.cursor);
}

/** One page of `held` (every window of one version, any order) under `q`. */
export function historyPage(held: readonly HeldWindow[], q: HistoryQuery): HistoryPage {
  const after = checkHistoryQuery(q);
  const limit = q.limit ?? DEFAULT_HISTORY_LIMIT;
  const keyed = held
    .filter((h) => q.member === undefined || h.window.org === q.member)
    .filter((h) => q.monitor === undefined || h.window.monitor === q.monitor)
    .map((h) => ({ h, key: historyKey(h) }))
    .filter((x) => after === undefined || x.key > after)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const page = keyed.slice(0, limit);
  const last = page.at(-1);
  return {
    windows: page.map((x) => x.h),
    ...(keyed.length > limit && last !== undefined ? { next: encodeHistoryCursor(last.key) } : {}),
  };
}
