/**
 * A real browser for the console's end-to-end tests: Debian's `chromium` (/usr/bin/chromium), driven
 * by playwright-core (no browser download at install). Where chromium is missing the suite is skipped
 * and its title says "skipped: needs chromium"; `.ci/run` installs chromium and fails when CI=true and
 * any suite titled so was skipped, so the browser tests can never pass by not running (as root-only
 * suites do, test/helpers/root.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { describe } from 'vitest';
import { REPO_ROOT } from './paths.ts';

/** Where Debian's chromium package puts the browser (GOVFED_CHROMIUM overrides it). */
export const CHROMIUM = process.env.GOVFED_CHROMIUM ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

/** The marker in the title of a browser suite that did not run (read by .ci/run). */
export const NEEDS_CHROMIUM_MARK = 'skipped: needs chromium';

/** `describe` for a suite that needs the browser: runs when chromium is installed, is skipped (and says so) otherwise. */
export function describeWithBrowser(name: string, fn: () => void): void {
  describe.skipIf(!HAS_CHROMIUM)(HAS_CHROMIUM ? name : `${name} (${NEEDS_CHROMIUM_MARK})`, fn);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // root (CI) cannot use chromium's user-namespace sandbox; /dev/shm is small in containers.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** The test's output folder (screenshots): .tmp/test-output/<name>. */
export async function outputDir(name: string): Promise<string> {
  const dir = path.join(REPO_ROOT, '.tmp', 'test-output', name);
  await mkdir(dir, { recursive: true });
  return dir;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core in the page (WCAG 2 A and AA rules: labels, contrast, names, landmarks) and returns
 * the violations. axe is evaluated through the DevTools protocol, so the page's CSP stays as strict as
 * it is (an injected <script> would be refused, as it should).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const { source } = (await import('axe-core')).default as unknown as { source: string };
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(o: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}
