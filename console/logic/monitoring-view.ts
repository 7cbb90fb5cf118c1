/**
 * The monitoring charts' data (GET /v1/models/{name}/{version}/monitoring/windows; docs/monitoring.md):
 * every window the node holds of a version, read page by page, grouped into one chart per monitor (and
 * per live / shadow deployment), one series per org that measured it, on the windows' end times.
 *
 * Levels drawn: **critical** is the contract's threshold (the one the windows carry: a window above it —
 * below it for disparate_impact_ratio — breaches); **warn** exists only where the field has a
 * convention short of the threshold: psi's 0.1 ("moderate shift", docs/monitoring.md). Other metrics
 * have no warn level, and the chart says none rather than invent one.
 *
 * Pure (the API client is passed in): tested under Node in test/console/monitoring-view.test.ts.
 */
import type { ConsoleApi } from './api.ts';
import type { ApiOk, Item } from './api-types.ts';

type ApiWindows = ApiOk<'/v1/models/{name}/{version}/monitoring/windows'>;

/** One window as the API lists it (the fields the console reads). */
export type WindowView = Pick<
  Item<ApiWindows['windows']>,
  | 'org'
  | 'monitor'
  | 'name'
  | 'metric'
  | 'onBreach'
  | 'seq'
  | 'from'
  | 'to'
  | 'decisions'
  | 'shadow'
  | 'value'
  | 'threshold'
  | 'breach'
  | 'contract'
>;

export type WindowsPage = Pick<ApiWindows, 'model' | 'next'> & { windows: WindowView[] };

/** At most this many pages are read for one version (the node holds ≤ 16 windows per org × monitor). */
export const MAX_PAGES = 20;
export const PAGE_SIZE = 200;

/** Every window the node holds of `model` (`{org, name, version}`), oldest first. */
export async function loadWindows(
  api: Pick<ConsoleApi, 'json'>,
  model: { org: string; name: string; version: string },
): Promise<{ windows: WindowView[]; complete: boolean }> {
  const base = `/v1/models/${encodeURIComponent(model.name)}/${encodeURIComponent(model.version)}/monitoring/windows`;
  const windows: WindowView[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const q = new URLSearchParams({ org: model.org, limit: String(PAGE_SIZE) });
    if (cursor !== undefined) q.set('cursor', cursor);
    const page = await api.json<WindowsPage>(`${base}?${q}`);
    windows.push(...page.windows);
    if (page.next === undefined) return { windows, complete: true };
    cursor = page.next;
  }
  return { windows, complete: false };
}

export type Direction = 'above' | 'below';

/** Which side of the threshold breaches (docs/monitoring.md: every metric above, the ratio below). */
export const directionOf = (metric: string): Direction => (metric === 'disparate_impact_ratio' ? 'below' : 'above');

/** The conventional warning level short of the threshold, if the metric has one. */
export function warnLevelOf(metric: string, threshold: number): number | undefined {
  if (metric === 'psi' && threshold > 0.1) return 0.1;
  return undefined;
}

export interface Point {
  /** The window's end, in seconds since the epoch (uPlot's time scale). */
  t: number;
  value: number | null;
  breach: boolean;
  seq: number;
  decisions: number;
  from: string;
  to: string;
}

export interface Series {
  org: string;
  points: Point[];
}

export interface Chart {
  /** Stable id: monitor name plus `shadow` for a shadow deployment's windows. */
  id: string;
  title: string;
  metric: string;
  shadow: boolean;
  direction: Direction;
  /** The threshold of the newest window (a new contract version may change it). */
  critical: number;
  warn?: number;
  onBreach?: 'flag' | 'suspend';
  series: Series[];
  /** uPlot's aligned data: the sorted union of times, then each series' value at each (null: none). */
  aligned: [number[], ...(number | null)[][]];
  /** For each series, whether its window at each time of `aligned[0]` breaches (the points marked). */
  breachAt: boolean[][];
  breaches: number;
}

/** The monitor's name: metric and field as the contract names it, else the metric. */
const nameOf = (w: WindowView) => w.name ?? w.metric;

/** The charts of a version's windows: one per monitor name × live/shadow, orgs sorted, points by time. */
export function chartsOf(windows: readonly WindowView[]): Chart[] {
  const groups = new Map<string, WindowView[]>();
  for (const w of windows) {
    const id = `${nameOf(w)}${w.shadow ? ' (shadow)' : ''}`;
    groups.set(id, [...(groups.get(id) ?? []), w]);
  }
  const charts: Chart[] = [];
  for (const [id, list] of groups) {
    const byTime = [...list].sort((a, b) => Date.parse(a.to) - Date.parse(b.to) || a.seq - b.seq);
    const newest = byTime.at(-1) as WindowView;
    const orgs = [...new Set(byTime.map((w) => w.org))].sort();
    const series = orgs.map((org) => ({
      org,
      points: byTime
        .filter((w) => w.org === org)
        .map((w) => ({
          t: Date.parse(w.to) / 1000,
          value: w.value,
          breach: w.breach,
          seq: w.seq,
          decisions: w.decisions,
          from: w.from,
          to: w.to,
        })),
    }));
    const warn = warnLevelOf(newest.metric, newest.threshold);
    charts.push({
      id,
      title: id,
      metric: newest.metric,
      shadow: newest.shadow,
      direction: directionOf(newest.metric),
      critical: newest.threshold,
      ...(warn === undefined ? {} : { warn }),
      ...(newest.onBreach === undefined ? {} : { onBreach: newest.onBreach }),
      series,
      aligned: align(series),
      breachAt: alignBreaches(series),
      breaches: byTime.filter((w) => w.breach).length,
    });
  }
  return charts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * uPlot's data for series on different times: the sorted union of times, and each series' value at
 * each time (null where it has no window, so its line skips over — `spanGaps` joins them).
 * Two windows of one org ending at the same time keep the later one's value (a chart cannot show both).
 */
export function align(series: readonly Series[]): Chart['aligned'] {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const y: (number | null)[] = xs.map(() => null);
    for (const p of s.points) y[at.get(p.t) as number] = p.value;
    return y;
  });
  return [xs, ...ys];
}

/** Where each series breaches, on the times of `align`. */
export function alignBreaches(series: readonly Series[]): boolean[][] {
  const xs = align(series)[0];
  return series.map((s) => xs.map((x) => s.points.findLast((p) => p.t === x)?.breach === true));
}

/** The sentence a screen reader hears for a chart (its table holds every point). */
export function describeChart(c: Chart): string {
  const n = c.series.reduce((k, s) => k + s.points.length, 0);
  const side = c.direction === 'above' ? 'above' : 'below';
  const latest = c.series
    .map((s) => {
      const p = s.points.at(-1);
      return p === undefined ? '' : `${s.org} ${formatValue(p.value)}${p.breach ? ' (breach)' : ''}`;
    })
    .filter((x) => x !== '')
    .join(', ');
  return (
    `${c.title}: ${n} window${n === 1 ? '' : 's'} from ${c.series.length} org${c.series.length === 1 ? '' : 's'}; ` +
    `critical ${side} ${c.critical}${c.warn === undefined ? '' : `, warn ${side} ${c.warn}`}; ` +
    `${c.breaches} breach${c.breaches === 1 ? '' : 'es'}. Latest: ${latest}.`
  );
}

/** A metric's value for people: up to 4 decimals, "no value" for a window without one. */
export function formatValue(v: number | null): string {
  if (v === null) return 'no value';
  return Number.isInteger(v) ? String(v) : v.toFixed(4).replace(/0+$/, '');
}
