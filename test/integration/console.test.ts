/**
 * The web console in a real browser (Debian's chromium, playwright-core) against the real federation of
 * `govfed demo` (three node processes: eu, us, apac): log in with an auditor token, see the members,
 * search denied decisions, verify a proof in the browser (and see a tampered one fail), see a new policy
 * version appear without a reload, see the suspended model. Every page is checked with axe-core (WCAG 2
 * A/AA: labels, names, contrast) and walked with the keyboard; no page breaks its own CSP. Screenshots
 * go to .tmp/test-output/console.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithBrowser } from '../helpers/browser.ts';
import { ROOT } from '../helpers/cli.ts';
import { ConsoleDemo, checkA11y, START_MS, STEP_MS, until } from '../helpers/console-demo.ts';

const d = new ConsoleDemo();
const node = (org: string) => d.node(org);
const api = <T>(org: string, method: string, url: string, body?: unknown) => d.api<T>(org, method, url, body);
const loggedIn = (org: string, hash?: string) => d.loggedIn(org, hash);

describeWithBrowser('the web console in a real browser', () => {
  beforeAll(() => d.start(), START_MS);
  afterAll(() => d.stop(), 60_000);

  it(
    'shows nothing without a token, and refuses an ingest token',
    async () => {
      const page = await d.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(new URL(r.url()).pathname));
      await page.goto(node('eu').console);
      await page.getByLabel('API token').waitFor();
      await page.screenshot({ path: path.join(d.shots, 'login.png') });
      expect(requests.filter((p) => p.startsWith('/v1/'))).toEqual([]);
      const { token } = await api<{ token: string }>('eu', 'POST', '/v1/tokens', { role: 'ingest' });
      // Keyboard only: Tab to the field, type, Enter submits.
      await page.keyboard.press('Tab');
      await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('token');
      await page.keyboard.type(token);
      await page.keyboard.press('Enter');
      await page.getByRole('alert').getByText('ERR_FORBIDDEN').waitFor();
      expect(requests.some((p) => p.includes(token))).toBe(false);
      await checkA11y(page, 'login');
      await page.close();
    },
    STEP_MS,
  );

  it(
    'shows the federation: three members with jurisdiction and connectivity, and no alerts',
    async () => {
      const page = await loggedIn('eu');
      const rows = page.locator('table tbody tr[data-org]');
      await expect.poll(() => rows.count()).toBe(3);
      for (const [org, j] of [
        ['eu', 'EU'],
        ['us', 'US'],
        ['apac', 'SG'],
      ]) {
        const row = page.locator(`tr[data-org="${org}"]`);
        await expect.poll(() => row.textContent()).toContain(j);
      }
      await expect.poll(() => page.locator('tr[data-org="us"]').textContent()).toContain('connected');
      expect(await page.evaluate('location.href')).not.toContain('gf_');
      await page.getByText('No alerts').waitFor();
      await page.screenshot({ path: path.join(d.shots, 'federation.png'), fullPage: true });
      await checkA11y(page, 'federation');
      // Keyboard, on a fresh load (the token is kept for the tab): skip link first, then the page links;
      // Enter follows one.
      await page.reload();
      await page.getByRole('navigation', { name: 'Pages' }).waitFor();
      await page.keyboard.press('Tab');
      await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Models');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Models', level: 1 }).waitFor();
      await page.close();
    },
    STEP_MS,
  );

  it(
    'finds denied decisions, verifies one in the browser, and fails a tampered proof',
    async () => {
      const page = await loggedIn('apac', '#/decisions');
      await page.getByLabel('Verdict').selectOption('denied');
      await page.getByRole('button', { name: 'Search' }).click();
      // The search replaces the unfiltered first page: wait until every row shown is a denied one.
      const rows = page.locator('table tbody tr[data-index]');
      await expect
        .poll(async () => {
          const texts = await rows.allTextContents();
          return (
            texts.length > 0 && texts.every((t) => t.includes('denied')) && texts.some((t) => t.includes('face-id-v3'))
          );
        })
        .toBe(true);
      await page.screenshot({ path: path.join(d.shots, 'decisions.png'), fullPage: true });
      await checkA11y(page, 'decisions');
      const row = page.locator('tr', { hasText: 'face-id-v3' }).first();
      await row.getByRole('button', { name: /Verify/ }).click();
      await page.getByRole('button', { name: 'Verify in this browser' }).click();
      const outcome = page.locator('.outcome');
      await outcome.waitFor();
      expect(await outcome.getAttribute('data-verified')).toBe('yes');
      expect(await page.locator('.steps li[data-state="passed"]').count()).toBe(8);
      await page.screenshot({ path: path.join(d.shots, 'verify-ok.png'), fullPage: true });
      await checkA11y(page, 'verify');
      // A node (or anyone between) that changes one hash of the proof: the browser's check fails.
      await page.route('**/v1/log/proofs/inclusion**', async (route) => {
        const res = await route.fetch();
        const body = (await res.json()) as { proof: string[] };
        const h = Buffer.from(body.proof[0] as string, 'base64');
        h[0] = (h[0] as number) ^ 0xff;
        body.proof[0] = h.toString('base64');
        await route.fulfill({ response: res, json: body });
      });
      await page.getByRole('button', { name: 'Verify in this browser' }).click();
      await page.locator('.outcome[data-verified="no"]').waitFor();
      expect(await page.locator('.outcome').textContent()).toContain('ERR_ROOT_MISMATCH');
      expect(await page.locator('.steps li[data-step="inclusion"]').getAttribute('data-state')).toBe('failed');
      await page.screenshot({ path: path.join(d.shots, 'verify-tampered.png'), fullPage: true });
      await page.close();
    },
    STEP_MS,
  );

  it(
    'shows the suspended model with its registry facts',
    async () => {
      const page = await loggedIn('us', '#/models');
      const row = page.locator(`tr[data-model="${d.demo.registry.model}"]`);
      await row.waitFor();
      await expect.poll(() => row.textContent()).toContain('suspended');
      expect(await row.textContent()).toContain('high');
      await row.getByRole('button', { name: /Show/ }).click();
      await page.getByText('govfed model reinstate').waitFor();
      await page.screenshot({ path: path.join(d.shots, 'models.png'), fullPage: true });
      await checkA11y(page, 'models');
      await page.close();
    },
    STEP_MS,
  );

  it(
    'shows a new policy version live, without a reload, with its difference',
    async () => {
      const page = await loggedIn('apac', '#/policy');
      const version = page.getByTestId('baseline-version');
      await expect.poll(() => version.textContent()).toBe('1');
      await page.evaluate(() => {
        (globalThis as unknown as { stillHere: boolean }).stillHere = true;
      });
      const file = JSON.parse(await readFile(path.join(ROOT, 'examples/policy/baseline.json'), 'utf8')) as {
        rules: unknown[];
      };
      const extra = {
        id: 'no-emotion-recognition',
        hook: 'decision',
        effect: 'deny',
        expression: "decision.model.contains('emotion')",
        message: 'emotion recognition is prohibited',
      };
      const p = await api<{ id: string }>('eu', 'POST', '/v1/policy/proposals', { rules: [...file.rules, extra] });
      await until('the proposal at us', async () =>
        (await api<{ pending: { id: string }[] }>('us', 'GET', '/v1/policy/status')).pending.some((x) => x.id === p.id),
      );
      await api('us', 'POST', `/v1/policy/proposals/${encodeURIComponent(p.id)}/signatures`, {});
      await expect.poll(() => version.textContent(), { timeout: 30_000 }).toBe('2');
      expect(await page.evaluate(() => (globalThis as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
      await page.locator('.diff .added', { hasText: 'no-emotion-recognition' }).waitFor();
      await page.screenshot({ path: path.join(d.shots, 'policy.png'), fullPage: true });
      await checkA11y(page, 'policy');
      await page.close();
    },
    STEP_MS,
  );

  it('broke no Content-Security-Policy rule on any page', () => {
    expect(d.cspErrors).toEqual([]);
  });
});
