/**
 * The console's compliance report view in a real browser (Debian's chromium, playwright-core) against
 * `govfed demo`'s three daemons (test/helpers/console-demo.ts): on the demo model's card, eu's console
 * asks its node for the report, verifies it in the browser with protocol/report's verifier step by step,
 * pinned to the node's federation id (and says so), and shows the counts the API's report holds; a report
 * changed on the way (one count, through playwright's routing) fails at the signature step and is neither
 * shown nor offered; the downloaded file and its OSCAL form are what `govfed verify` accepts. axe-core on
 * both views, no CSP violation. The screenshots docs/console/report-verify.png and report-tampered.png come
 * from here.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ReportSummary } from '../../protocol/report/summary.ts';
import { describeWithBrowser } from '../helpers/browser.ts';
import { runCli } from '../helpers/cli.ts';
import { ConsoleDemo, checkA11y, START_MS, STEP_MS } from '../helpers/console-demo.ts';

const d = new ConsoleDemo();
const STEPS = ['shape', 'federation', 'signature', 'checkpoints', 'inclusion', 'records', 'summary', 'controls'];
/** The node waits up to 15 s for fresh records to be witnessed; the verifier runs on a loaded machine. */
const REPORT_MS = 60_000;

/** eu's console on the demo model's card, with its report asked for and checked. */
async function reportView(page: Page): Promise<ReturnType<Page['locator']>> {
  await page.locator(`tr[data-model="${d.demo.registry.model}"]`).getByRole('button', { name: /Show/ }).click();
  const section = page.locator('section[data-section="report"]');
  await section.getByRole('heading', { name: 'Compliance report' }).waitFor();
  await section.getByRole('button', { name: 'Build the report and verify it in this browser' }).click();
  await section.locator('[data-report-verified]').waitFor({ timeout: REPORT_MS });
  return section;
}

async function verifyWithCli(file: string): Promise<{ code: number | null; out: Record<string, unknown> }> {
  const r = await runCli(['verify', file, '--federation', d.demo.federationId, '--json'], { timeoutMs: 60_000 });
  return { code: r.code, out: JSON.parse(r.stdout) as Record<string, unknown> };
}

describeWithBrowser('the console’s compliance report view in a real browser', () => {
  beforeAll(() => d.start(), START_MS);
  afterAll(() => d.stop(), 60_000);

  it(
    'verifies the report step by step, shows the API’s counts, and downloads files govfed verify accepts',
    async () => {
      const page = await d.loggedIn('eu', '#/models');
      const requests: { url: string; auth: boolean }[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/v1/reports/'))
          requests.push({ url: r.url(), auth: r.headers().authorization !== undefined });
      });
      const answered = page.waitForResponse((r) => r.url().includes('/v1/reports/models/'), { timeout: REPORT_MS });
      const section = await reportView(page);
      const outcome = section.locator('[data-report-verified]');
      expect(await outcome.getAttribute('data-report-verified')).toBe('yes');
      for (const s of STEPS)
        expect(await outcome.locator(`li[data-step="${s}"]`).getAttribute('data-state')).toBe('passed');
      expect(await outcome.textContent()).toContain(d.demo.federationId);
      expect(await outcome.textContent()).toContain("this node's own federation id");
      // The token went in the header, not the URL.
      expect(requests.length).toBe(1);
      expect(requests[0]?.auth).toBe(true);
      expect(requests[0]?.url).not.toMatch(/token|bearer/i);

      // The counts are those of the API's answer (the node's own, as it reached the page; asking again
      // could differ where a member's counts statement is a gap one time and not the next).
      const api = (await (await answered).json()) as {
        report: { summary: ReportSummary; controls: { id: string; status: string }[]; gaps: unknown[] };
      };
      expect(requests[0]?.url).toContain('/v1/reports/models/fraud-model?org=eu&version=1.0.0&waitMs=15000');
      const v = api.report.summary.versions[0];
      if (v === undefined) throw new Error('the API report holds no version');
      expect(v.counts.total.decisions).toBeGreaterThan(0);
      expect(await section.locator('[data-version-total]').textContent()).toBe(`${v.counts.total.decisions} decisions`);
      for (const c of v.counts.byOrg) {
        const row = section.locator(`tr[data-org="${c.org}"]`);
        expect(await row.locator('[data-col="decisions"]').textContent()).toBe(String(c.decisions));
        expect(await row.locator('[data-col="denied"]').textContent()).toBe(String(c.denied));
      }
      expect(await section.locator('tr[data-org]').count()).toBeGreaterThanOrEqual(3);
      const deny = (await section.locator('[data-deny]').textContent()) ?? '';
      for (const [rule, n] of Object.entries(v.counts.total.deny)) expect(deny).toContain(`${rule} ${n}`);
      for (const [kind, n] of Object.entries(v.counts.total.flags)) expect(deny).toContain(`${kind} ${n}`);
      expect(Number(await section.locator('[data-gaps]').getAttribute('data-gaps'))).toBe(api.report.gaps.length);
      const breaches = v.monitoring.series.flatMap((s) => s.points.filter((p) => p.breach)).length;
      const shown = await section.locator('[data-col="breaches"]').allTextContents();
      expect(shown.reduce((n, t) => n + Number(t), 0)).toBe(breaches);
      for (const c of api.report.controls) {
        expect(await section.locator(`tr[data-control="${c.id}"]`).getAttribute('data-status')).toBe(c.status);
      }
      await checkA11y(page, 'report');
      await section.scrollIntoViewIfNeeded();
      await section.screenshot({ path: path.join(d.shots, 'report-verify.png') });

      // Download: the file as the CLI writes it (canonical JSON + newline), and its OSCAL form.
      for (const kind of ['json', 'oscal'] as const) {
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          section.locator(`a[data-download="${kind}"]`).click(),
        ]);
        const file = path.join(d.shots, `downloaded-${kind}.json`);
        await download.saveAs(file);
        const bytes = await readFile(file);
        if (kind === 'json') {
          expect(bytes.subarray(0, 10).toString()).toBe('{"report":');
          expect(bytes.at(-1)).toBe(0x0a);
          expect(download.suggestedFilename()).toBe('fraud-model-1.0.0-report.json');
        }
        const cli = await verifyWithCli(file);
        expect(cli.code, JSON.stringify(cli.out)).toBe(0);
        expect(cli.out).toMatchObject({ ok: true, federationId: d.demo.federationId });
      }
      await page.close();
    },
    STEP_MS * 2,
  );

  it(
    'fails a report changed on the way at the signature step, and neither shows nor offers it',
    async () => {
      const page = await d.loggedIn('eu', '#/models');
      let changed = false;
      await page.route('**/v1/reports/models/**', async (route) => {
        const res = await route.fetch();
        const body = (await res.json()) as { report: { summary: ReportSummary } };
        body.report.summary.total.decisions += 1;
        changed = true;
        await route.fulfill({ response: res, json: body });
      });
      const section = await reportView(page);
      expect(changed).toBe(true);
      const outcome = section.locator('[data-report-verified]');
      expect(await outcome.getAttribute('data-report-verified')).toBe('no');
      const states = await Promise.all(
        STEPS.map(async (s) => [s, await outcome.locator(`li[data-step="${s}"]`).getAttribute('data-state')]),
      );
      expect(Object.fromEntries(states)).toEqual({
        shape: 'passed',
        federation: 'passed',
        signature: 'failed',
        checkpoints: 'not run',
        inclusion: 'not run',
        records: 'not run',
        summary: 'not run',
        controls: 'not run',
      });
      expect(await outcome.textContent()).toContain('ERR_REPORT_DIGEST_MISMATCH');
      expect(await section.locator('a[data-download]').count()).toBe(0);
      expect(await section.locator('[data-status-table]').count()).toBe(0);
      await checkA11y(page, 'report tampered');
      await section.scrollIntoViewIfNeeded();
      await section.screenshot({ path: path.join(d.shots, 'report-tampered.png') });
      await page.close();
    },
    STEP_MS,
  );

  it('broke no Content-Security-Policy rule', () => {
    expect(d.cspErrors).toEqual([]);
  });
});
