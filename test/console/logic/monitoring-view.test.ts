import { describe, expect, it } from 'vitest';
import type { ConsoleApi } from '../../../console/logic/api.ts';
import {
  align,
  alignBreaches,
  chartsOf,
  describeChart,
  directionOf,
  formatValue,
  loadWindows,
  MAX_PAGES,
  type WindowView,
  warnLevelOf,
} from '../../../console/logic/monitoring-view.ts';

const at = (s: number) => new Date(Date.UTC(2027, 0, 1, 0, 0, s)).toISOString();
function win(org: string, seq: number, s: number, value: number | null, over: Partial<WindowView> = {}): WindowView {
  return {
    org,
    monitor: 0,
    name: 'denial_rate',
    metric: 'denial_rate',
    onBreach: 'flag',
    seq,
    from: at(s - 1),
    to: at(s),
    decisions: 2,
    shadow: false,
    value,
    threshold: 0.5,
    breach: value !== null && value > 0.5,
    contract: `sha256:${'ab'.repeat(32)}`,
    ...over,
  };
}
const T = (s: number) => Date.parse(at(s)) / 1000;

describe('chartsOf', () => {
  describe('when windows of two monitors come from three orgs', () => {
    const charts = chartsOf([
      win('us', 1, 10, 0),
      win('eu', 1, 20, 1),
      win('us', 2, 30, 0.5),
      win('apac', 1, 20, 1),
      win('us', 1, 15, 0.2, { monitor: 1, name: 'psi:output.score', metric: 'psi', threshold: 0.25, breach: false }),
    ]);

    it('makes one chart per monitor, sorted by name, orgs sorted within', () => {
      expect(charts.map((c) => c.id)).toEqual(['denial_rate', 'psi:output.score']);
      expect(charts[0]?.series.map((s) => s.org)).toEqual(['apac', 'eu', 'us']);
    });

    it('aligns the series on the union of the windows’ end times, null where an org has none', () => {
      expect(charts[0]?.aligned).toEqual([
        [T(10), T(20), T(30)],
        [null, 1, null],
        [null, 1, null],
        [0, null, 0.5],
      ]);
      expect(charts[0]?.breachAt).toEqual([
        [false, true, false],
        [false, true, false],
        [false, false, false],
      ]);
      expect(charts[0]?.breaches).toBe(2);
    });

    it('draws the contract’s threshold as critical, and psi’s conventional 0.1 as warn', () => {
      expect(charts[0]).toMatchObject({ critical: 0.5, direction: 'above', onBreach: 'flag' });
      expect(charts[0]?.warn).toBeUndefined();
      expect(charts[1]).toMatchObject({ critical: 0.25, warn: 0.1 });
    });
  });

  describe('when a version has live and shadow windows of one monitor', () => {
    it('keeps them apart: a shadow deployment is not the live one', () => {
      const charts = chartsOf([win('us', 1, 10, 0), win('us', 1, 11, 0.2, { shadow: true })]);
      expect(charts.map((c) => [c.id, c.shadow])).toEqual([
        ['denial_rate', false],
        ['denial_rate (shadow)', true],
      ]);
    });
  });

  describe('when a new contract version changed the threshold', () => {
    it('draws the newest window’s threshold', () => {
      const charts = chartsOf([win('us', 1, 10, 0), win('us', 2, 20, 0, { threshold: 0.3 })]);
      expect(charts[0]?.critical).toBe(0.3);
    });
  });

  it('answers no chart for no window', () => {
    expect(chartsOf([])).toEqual([]);
  });
});

describe('align', () => {
  it('keeps the later window of an org when two end at the same time (and marks its breach)', () => {
    const series = [
      {
        org: 'us',
        points: [
          { t: 5, value: 0.9, breach: true, seq: 1, decisions: 2, from: '', to: '' },
          { t: 5, value: 0.1, breach: false, seq: 2, decisions: 2, from: '', to: '' },
        ],
      },
    ];
    expect(align(series)).toEqual([[5], [0.1]]);
    expect(alignBreaches(series)).toEqual([[false]]);
  });
});

describe('directionOf and warnLevelOf', () => {
  it('breaches below for disparate_impact_ratio only', () => {
    expect(directionOf('disparate_impact_ratio')).toBe('below');
    for (const m of ['psi', 'ks', 'demographic_parity_difference', 'denial_rate']) expect(directionOf(m)).toBe('above');
  });

  it('has a warn level only for psi, and only short of its threshold', () => {
    expect(warnLevelOf('psi', 0.25)).toBe(0.1);
    expect(warnLevelOf('psi', 0.05)).toBeUndefined();
    expect(warnLevelOf('ks', 0.25)).toBeUndefined();
  });
});

describe('describeChart', () => {
  it('says in words what the chart shows: windows, orgs, levels, breaches, the latest of each org', () => {
    const [c] = chartsOf([win('us', 1, 10, 0), win('eu', 1, 20, 1), win('eu', 2, 30, null)]);
    expect(describeChart(c as NonNullable<typeof c>)).toBe(
      'denial_rate: 3 windows from 2 orgs; critical above 0.5; 1 breach. Latest: eu no value, us 0.',
    );
  });
});

describe('formatValue', () => {
  it('shows up to 4 decimals, integers as they are, and null as no value', () => {
    expect(formatValue(0.123456)).toBe('0.1235');
    expect(formatValue(0.5)).toBe('0.5');
    expect(formatValue(1)).toBe('1');
    expect(formatValue(null)).toBe('no value');
  });
});

describe('loadWindows', () => {
  /** A node answering pages of `all`, `size` a page, recording the paths asked. */
  function pagedApi(all: WindowView[], size: number, asked: string[], endless = false): Pick<ConsoleApi, 'json'> {
    return {
      json: async <T>(path: string) => {
        asked.push(path);
        const q = new URL(path, 'http://x').searchParams;
        const from = Number(q.get('cursor') ?? '0');
        const next = from + size;
        return {
          model: 'eu/fraud@1.0.0',
          windows: all.slice(from, next),
          ...(next < all.length || endless ? { next: String(next) } : {}),
        } as T;
      },
    };
  }

  it('reads every page, in order, with the model’s org and an escaped name', async () => {
    const all = [win('us', 1, 1, 0), win('us', 2, 2, 0), win('us', 3, 3, 1)];
    const asked: string[] = [];
    const r = await loadWindows(pagedApi(all, 2, asked), { org: 'eu', name: 'fraud model', version: '1.0.0' });
    expect(r).toEqual({ windows: all, complete: true });
    expect(asked).toEqual([
      '/v1/models/fraud%20model/1.0.0/monitoring/windows?org=eu&limit=200',
      '/v1/models/fraud%20model/1.0.0/monitoring/windows?org=eu&limit=200&cursor=2',
    ]);
  });

  it('stops after MAX_PAGES pages of a node that always says there is more, and says so', async () => {
    const asked: string[] = [];
    const r = await loadWindows(pagedApi([], 1, asked, true), { org: 'eu', name: 'm', version: '1' });
    expect(r.complete).toBe(false);
    expect(asked).toHaveLength(MAX_PAGES);
  });
});
