/**
 * The console's monitoring charts and its in-browser checks of signed state, in a real browser (Debian's
 * chromium, playwright-core) against `govfed demo`'s three daemons (test/integration/console.test.ts
 * covers the rest of the console):
 *
 * - charts: the demo's model eu/fraud-model@1.0.0 has three rate monitors over windows of 2 decisions
 *   (cli/demo/registry.ts); its details show one uPlot chart per monitor with every org's windows — the
 *   very points GET …/monitoring/windows answers, the breaching ones marked — and a new window appears
 *   without a reload (live topic `monitoring`);
 * - signatures: the charter chain verified from the genesis, and each member's policy receipt against
 *   it, with the project's protocol code in the browser — and a tampered signature, a wrong pin or a
 *   table that differs from its receipt failing visibly at the right step.
 *
 * axe-core on every view, no CSP violation. The screenshots in docs/console/ (monitoring.png,
 * charter-verify.png, receipts-verify.png, receipts-tampered.png) come from here.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithBrowser } from '../helpers/browser.ts';
import { ConsoleDemo, checkA11y, START_MS, STEP_MS, until } from '../helpers/console-demo.ts';

interface ApiWindow {
  org: string;
  name?: string;
  metric: string;
  seq: number;
  to: string;
  value: number | null;
  breach: boolean;
}

const d = new ConsoleDemo();
const MONITORS = ['contract_violation_rate', 'denial_rate', 'shadow_ai_rate'];

/** Every window `org`'s node holds of the demo model, through the API's pages (3 a page, to page). */
async function apiWindows(org: string): Promise<ApiWindow[]> {
  const out: ApiWindow[] = [];
  let cursor: string | undefined;
  for (;;) {
    const q = new URLSearchParams({ org: 'eu', limit: '3', ...(cursor === undefined ? {} : { cursor }) });
    const page = await d.api<{ windows: ApiWindow[]; next?: string }>(
      org,
      'GET',
      `/v1/models/fraud-model/1.0.0/monitoring/windows?${q}`,
    );
    out.push(...page.windows);
    if (page.next === undefined) return out;
    cursor = page.next;
  }
}

/** What the API says a chart must plot: per org, [seconds, value] of each window, by time. */
function expected(
  windows: ApiWindow[],
  monitor: string,
): { points: Record<string, [number, number | null][]>; breaches: number } {
  const mine = windows
    .filter((w) => (w.name ?? w.metric) === monitor)
    .sort((a, b) => Date.parse(a.to) - Date.parse(b.to) || a.seq - b.seq);
  const points: Record<string, [number, number | null][]> = {};
  for (const w of mine) points[w.org] = [...(points[w.org] ?? []), [Date.parse(w.to) / 1000, w.value]];
  return { points: sortedKeys(points), breaches: mine.filter((w) => w.breach).length };
}

const sortedKeys = <T>(o: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** What uPlot holds in the page's chart of `monitor` (its data: times, then each org's values, legend order). */
async function plotted(page: Page, monitor: string) {
  const fig = page.locator(`figure[data-chart="${monitor}"]`);
  const data = JSON.parse((await fig.getAttribute('data-plotted')) ?? '[[]]') as [number[], ...(number | null)[][]];
  const orgs = (await fig.locator('.legend li').allTextContents()).map((t) => t.trim());
  const points: Record<string, [number, number | null][]> = {};
  orgs.forEach((org, i) => {
    const ys = data[i + 1] ?? [];
    points[org] = data[0].flatMap((x, j) =>
      ys[j] === null || ys[j] === undefined ? [] : [[x, ys[j]] as [number, number]],
    );
  });
  return { points: sortedKeys(points), breaches: Number(await fig.getAttribute('data-breach-markers')) };
}

/**
 * The colour drawn on the chart's canvas at each of `points` ([seconds, value] from the API), placed
 * with uPlot's own scales: [r, g, b, a] per point.
 */
async function pixelsAt(page: Page, monitor: string, points: [number, number | null][]): Promise<number[][]> {
  return page.evaluate(
    ({ monitor, points }) => {
      // In the page (no DOM types here: the test's own TypeScript has none).
      const doc = (globalThis as unknown as { document: { querySelector(sel: string): unknown } }).document;
      const fig = doc.querySelector(`figure[data-chart="${monitor}"]`) as {
        uplot: {
          ctx: { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
          valToPos(v: number, scale: string, canvasPixels: boolean): number;
        };
      };
      const u = fig.uplot;
      return points
        .filter((p): p is [number, number] => p[1] !== null)
        .map(([t, v]) => {
          const x = Math.round(u.valToPos(t, 'x', true));
          const y = Math.round(u.valToPos(v, 'y', true));
          return Array.from(u.ctx.getImageData(x, y, 1, 1).data);
        });
    },
    { monitor, points },
  );
}

const hex = (rgb: number[]) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
/** The org colours of console/ui/chart.tsx PALETTE. */
const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#56b4e9', '#e69f00', '#000000', '#666666'];
/** The breach rings' colour (console/ui/chart.tsx CRITICAL). */
const BREACH_RING = '#b91c1c';

describeWithBrowser('the console’s monitoring charts and signature checks in a real browser', () => {
  beforeAll(async () => {
    await d.start();
    // The demo's windows travel by gossip: wait until us holds windows of every org.
    await until(
      'windows of eu, us and apac at us',
      async () => {
        const orgs = new Set((await apiWindows('us')).map((w) => w.org));
        return orgs.size === 3;
      },
      60_000,
    );
  }, START_MS);
  afterAll(() => d.stop(), 60_000);

  it(
    'plots every window the API holds, per org, with the thresholds and the breaches marked',
    async () => {
      const page = await d.loggedIn('us', '#/models');
      const row = page.locator(`tr[data-model="${d.demo.registry.model}"]`);
      await row.getByRole('button', { name: /Show/ }).click();
      const section = page.locator('section[data-section="monitoring"]');
      await section.getByRole('heading', { name: 'Monitoring' }).waitFor();
      for (const m of MONITORS) await section.locator(`figure[data-chart="${m}"][data-plotted]`).waitFor();
      expect(await section.locator('figure[data-chart] canvas').count()).toBeGreaterThanOrEqual(MONITORS.length);
      for (const m of MONITORS) {
        // Re-read both until they agree: a window may still arrive by gossip between the two reads.
        await expect
          .poll(async () => JSON.stringify(await plotted(page, m)), { timeout: 20_000 })
          .toBe(JSON.stringify(expected(await apiWindows('us'), m)));
      }
      // On the canvas itself: at every window's (time, value), mapped by uPlot's scales, a point of an
      // org's colour is drawn (two orgs' points may share a pixel: then either colour).
      for (const m of MONITORS) {
        const pts = Object.values(expected(await apiWindows('us'), m).points).flat();
        const px = await pixelsAt(page, m, pts);
        expect(px.length).toBe(pts.filter((p) => p[1] !== null).length);
        for (const p of px) {
          expect(p[3], `${m}: an opaque pixel (the canvas is transparent where nothing is drawn)`).toBe(255);
          // An org's colour — or the red of a breach ring, which may cross a neighbouring point's centre
          // when two windows close within a few pixels of each other.
          expect([...PALETTE, BREACH_RING], `${m}: ${hex(p.slice(0, 3))}`).toContain(hex(p.slice(0, 3)));
        }
      }
      const denial = expected(await apiWindows('us'), 'denial_rate');
      expect(Object.keys(denial.points).sort()).toEqual(['apac', 'eu', 'us']);
      expect(denial.breaches).toBeGreaterThan(0);
      const fig = section.locator('figure[data-chart="denial_rate"]');
      expect(await fig.locator('figcaption').textContent()).toContain('critical > 0.5');
      // The accessible alternative: a description and a table row per window.
      const describedBy = (await fig.getAttribute('aria-describedby')) as string;
      expect(await page.locator(`#${describedBy}`).textContent()).toMatch(
        /denial_rate: \d+ windows from 3 orgs; critical above 0\.5/,
      );
      await fig.getByText('Data table of denial_rate').click();
      const n = Object.values(denial.points).reduce((k, p) => k + p.length, 0);
      await expect.poll(() => fig.locator('tbody tr').count()).toBe(n);
      await checkA11y(page, 'monitoring');
      await section.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(d.shots, 'monitoring.png'), fullPage: true });
      await page.close();
    },
    STEP_MS,
  );

  it(
    'shows a new window without a reload',
    async () => {
      const page = await d.loggedIn('us', '#/models');
      await page.locator(`tr[data-model="${d.demo.registry.model}"]`).getByRole('button', { name: /Show/ }).click();
      const fig = page.locator('figure[data-chart="denial_rate"]');
      await page.locator('figure[data-chart="denial_rate"][data-plotted]').waitFor();
      await page.evaluate(() => {
        (globalThis as unknown as { stillHere: boolean }).stillHere = true;
      });
      // apac's own node holds its newest window of the series (us may not have it yet).
      const before = (await apiWindows('apac')).filter(
        (w) => w.org === 'apac' && (w.name ?? w.metric) === 'denial_rate',
      );
      const next = Math.max(...before.map((w) => w.seq)) + 1;
      // Two decisions of the (suspended) model at apac: denied, a window of 2 closes there, is gossiped to us.
      for (let i = 0; i < 2; i++) {
        await d.api('apac', 'POST', '/v1/decisions', {
          model: d.demo.registry.model,
          output: 'approve',
          jurisdiction: 'SG',
          dataClasses: ['financial'],
          context: { purpose: 'fraud-screening' },
        });
      }
      await fig
        .locator(`tbody tr[data-org="apac"][data-seq="${next}"]`)
        .waitFor({ state: 'attached', timeout: 30_000 });
      expect(await page.evaluate(() => (globalThis as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
      await expect
        .poll(async () => JSON.stringify(await plotted(page, 'denial_rate')), { timeout: 20_000 })
        .toBe(JSON.stringify(expected(await apiWindows('us'), 'denial_rate')));
      await page.close();
    },
    STEP_MS,
  );

  it(
    'verifies the charter chain in the browser, and fails a tampered signature and a wrong pin',
    async () => {
      const fed = await d.api<{ id: string; charterVersion: number }>('eu', 'GET', '/v1/federation');
      const page = await d.loggedIn('eu', '#/federation');
      const panel = page.locator('section[aria-labelledby="charter-verify-h"]');
      await panel.getByRole('button', { name: 'Verify the charter in this browser' }).click();
      await panel.locator('.outcome[data-chain-verified="yes"]').waitFor();
      const versions = panel.locator('li[data-charter-version]');
      expect(await versions.count()).toBe(fed.charterVersion);
      expect(await panel.locator('li[data-charter-version][data-state="passed"]').count()).toBe(fed.charterVersion);
      expect(await versions.first().textContent()).toContain('signed by eu');
      expect(await panel.textContent()).toContain('NO — taken from this node');
      // Pinned with the right id: the same verdict, and it says the id was pinned.
      await panel.getByLabel('Pin the federation id (optional)').fill(fed.id);
      await panel.getByRole('button', { name: 'Verify the charter in this browser' }).click();
      await panel.locator('.outcome[data-chain-verified="yes"]').waitFor();
      expect(await panel.locator('.outcome').textContent()).toContain('id pinned');
      expect(await panel.locator('.outcome').textContent()).not.toContain('NO — taken from this node');
      await checkA11y(page, 'charter verify');
      await panel.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(d.shots, 'charter-verify.png'), fullPage: true });
      // Another federation's id pinned: the genesis fails.
      await panel.getByLabel('Pin the federation id (optional)').fill('0'.repeat(64));
      await panel.getByRole('button', { name: 'Verify the charter in this browser' }).click();
      await panel.locator('.outcome[data-chain-verified="no"]').waitFor();
      expect(await versions.first().getAttribute('data-state')).toBe('failed');
      expect(await panel.locator('.outcome').textContent()).toContain('ERR_FEDERATION_MISMATCH');
      // A node that changes one byte of a signature of version 2: that version fails, the later ones do not run.
      await panel.getByLabel('Pin the federation id (optional)').fill('');
      await page.route('**/v1/federation/charters**', async (route) => {
        const res = await route.fetch();
        const body = (await res.json()) as {
          charters: { version: number; envelope: { signatures: { sig: string }[] } }[];
        };
        const sig = body.charters.find((c) => c.version === 2)?.envelope.signatures[0] as { sig: string };
        const b = Buffer.from(sig.sig, 'base64');
        b[5] = (b[5] as number) ^ 0x01;
        sig.sig = b.toString('base64');
        await route.fulfill({ response: res, json: body });
      });
      await panel.getByRole('button', { name: 'Verify the charter in this browser' }).click();
      await panel.locator('.outcome[data-chain-verified="no"]').waitFor();
      expect(await panel.locator('li[data-charter-version="1"]').getAttribute('data-state')).toBe('passed');
      expect(await panel.locator('li[data-charter-version="2"]').getAttribute('data-state')).toBe('failed');
      expect(await panel.locator('li[data-charter-version="3"]').getAttribute('data-state')).toBe('not run');
      expect(await panel.locator('li[data-charter-version="2"]').textContent()).toContain('ERR_BAD_SIGNATURE');
      await page.close();
    },
    STEP_MS,
  );

  it(
    'verifies every member’s policy receipt in the browser, and fails a tampered one and a table that lies',
    async () => {
      const page = await d.loggedIn('apac', '#/policy');
      const panel = page.locator('section[aria-labelledby="receipts-verify-h"]');
      const run = () => panel.getByRole('button', { name: 'Verify the receipts in this browser' }).click();
      await run();
      await panel.locator('.outcome[data-chain-verified="yes"]').waitFor();
      const receipts = panel.locator('li[data-receipt-org]');
      await expect.poll(() => receipts.count()).toBe(3);
      for (const org of ['eu', 'us', 'apac']) {
        const li = panel.locator(`li[data-receipt-org="${org}"]`);
        expect(await li.getAttribute('data-verified')).toBe('verified');
        expect(await li.locator('li[data-state="passed"]').count()).toBe(5);
      }
      await checkA11y(page, 'receipts verify');
      await panel.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(d.shots, 'receipts-verify.png'), fullPage: true });
      // us's receipt signature changed by one bit; eu's row shows another version than its receipt signs.
      await page.route('**/v1/policy/status', async (route) => {
        const res = await route.fetch();
        const body = (await res.json()) as {
          members: { org: string; version: number; receipt: { signatures: { sig: string }[] } }[];
        };
        const us = body.members.find((m) => m.org === 'us');
        const sig = us?.receipt.signatures[0] as { sig: string };
        const b = Buffer.from(sig.sig, 'base64');
        b[9] = (b[9] as number) ^ 0x01;
        sig.sig = b.toString('base64');
        const eu = body.members.find((m) => m.org === 'eu');
        if (eu) eu.version += 1;
        await route.fulfill({ response: res, json: body });
      });
      await run();
      const us = panel.locator('li[data-receipt-org="us"]');
      await panel.locator('li[data-receipt-org="us"][data-verified="failed"]').waitFor();
      expect(await us.textContent()).toContain('ERR_BAD_SIGNATURE');
      expect(await us.locator('li[data-step="signature"]').getAttribute('data-state')).toBe('failed');
      const eu = panel.locator('li[data-receipt-org="eu"]');
      expect(await eu.getAttribute('data-verified')).toBe('failed');
      expect(await eu.textContent()).toContain('ERR_RECEIPT_MISMATCH');
      expect(await eu.locator('li[data-step="shown"]').getAttribute('data-state')).toBe('failed');
      expect(await panel.locator('li[data-receipt-org="apac"]').getAttribute('data-verified')).toBe('verified');
      await page.screenshot({ path: path.join(d.shots, 'receipts-tampered.png'), fullPage: true });
      await page.close();
    },
    STEP_MS,
  );

  it('broke no Content-Security-Policy rule', () => {
    expect(d.cspErrors).toEqual([]);
  });
});
