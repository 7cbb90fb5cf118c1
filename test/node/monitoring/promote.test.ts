import { describe, expect, it } from 'vitest';
import { type NamedWindow, promote, promoteReasons } from '../../../node/monitoring/promote.ts';
import type { HeldWindow } from '../../../node/monitoring/window-book.ts';
import type { HeldModel } from '../../../node/registry/model-book.ts';

const held = { key: 'a/m@1' } as HeldModel;
const breach = {
  window: { org: 'b', shadow: true, seq: 3, monitor: 0, metric: 'psi', value: 0.4, threshold: 0.25 },
} as HeldWindow;
const deployed = { deployment: {}, logIndex: 7 } as never;

describe('promoteReasons', () => {
  it('refuses a version not in shadow mode here, and every breaching window', () => {
    expect(promoteReasons(held, { mode: () => undefined, flags: () => [] })[0]).toContain('not deployed here');
    expect(promoteReasons(held, { mode: () => 'live', flags: () => [] })[0]).toContain('live already');
    const r = promoteReasons(held, { mode: () => 'shadow', flags: () => [breach] });
    expect(r).toEqual(["b's shadow window 3 of monitor 0 (psi) breaches: 0.4 against 0.25"]);
    expect(promoteReasons(held, { mode: () => 'shadow', flags: () => [] })).toEqual([]);
  });
});

describe('promoteReasons against the live version', () => {
  const live = { key: 'a/m@0' } as HeldModel;
  const EDGES = [0.5];
  const named = (org: string, name: string, bins: number[], edges = EDGES, value = 0.01) =>
    ({
      name,
      edges,
      window: { org, metric: 'psi', seq: 2, value, threshold: 0.25, counts: { bins, missing: 0 } },
    }) as unknown as NamedWindow;
  const deps = (cand: NamedWindow[], theirs: NamedWindow[]) => ({
    mode: () => 'shadow' as const,
    flags: () => [],
    latest: (h: HeldModel) => (h === held ? cand : theirs),
    live: () => [live],
  });

  it('refuses a candidate whose bins differ from live beyond the threshold, naming the monitor and both values', () => {
    const r = promoteReasons(
      held,
      deps([named('c', 'psi:output.score', [10, 90], EDGES, 0.2)], [named('c', 'psi:output.score', [90, 10])]),
    );
    expect(r).toHaveLength(1);
    expect(r[0]).toMatch(
      /^monitor psi:output\.score on c: the candidate differs from live a\/m@0 beyond the threshold/,
    );
    expect(r[0]).toContain('> 0.25 (against the baseline: candidate 0.2, live 0.01)');
  });

  it('lets it through when alike, and when nothing pairs (other org, other monitor, other bins, no live)', () => {
    expect(promoteReasons(held, deps([named('c', 'psi:f', [50, 50])], [named('c', 'psi:f', [52, 48])]))).toEqual([]);
    const far = [named('c', 'psi:f', [0, 100])];
    expect(promoteReasons(held, deps(far, [named('b', 'psi:f', [100, 0])]))).toEqual([]);
    expect(promoteReasons(held, deps(far, [named('c', 'psi:g', [100, 0])]))).toEqual([]);
    expect(promoteReasons(held, deps(far, [named('c', 'psi:f', [100, 0], [0.4])]))).toEqual([]);
    expect(promoteReasons(held, { ...deps(far, [named('c', 'psi:f', [100, 0])]), live: () => [] })).toEqual([]);
    expect(promoteReasons(held, deps(far, [named('c', 'psi:f', [100, 0])]))).toHaveLength(1);
  });
});

describe('promote', () => {
  it('deploys live only without reasons; else ERR_PROMOTE_REFUSED and nothing deployed', async () => {
    let calls = 0;
    const deployLive = async () => {
      calls++;
      return deployed;
    };
    await expect(promote(held, { mode: () => 'shadow', flags: () => [breach], deployLive })).rejects.toMatchObject({
      code: 'ERR_PROMOTE_REFUSED',
    });
    expect(calls).toBe(0);
    await expect(promote(held, { mode: () => 'shadow', flags: () => [], deployLive })).resolves.toBe(deployed);
    expect(calls).toBe(1);
  });
});
