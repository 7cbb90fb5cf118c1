import { describe, expect, it } from 'vitest';
import { promote, promoteReasons } from '../../../node/monitoring/promote.ts';
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
