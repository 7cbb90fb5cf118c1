/**
 * `govfed demo` (three daemons: eu, us, apac) with a real chromium against its consoles, for the
 * console's browser tests (test/integration/console*.test.ts): start and stop, the nodes' API with their
 * admin tokens, a page logged in with a fresh auditor token, axe-core, and every CSP violation any page
 * reported.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations, launchBrowser, outputDir } from './browser.ts';
import { CLI, childEnv, makeTempDir, ROOT, removeDir } from './cli.ts';

export interface DemoOutput {
  federationId: string;
  nodes: { org: string; api: string; console: string; token: string }[];
  registry: { model: string };
}

/** A browser step against three daemons on a loaded 2-core machine (vitest runs other files alongside). */
export const STEP_MS = 90_000;
/** Starting the demo and the browser. */
export const START_MS = 180_000;

export async function until(what: string, fn: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export class ConsoleDemo {
  demo!: DemoOutput;
  browser!: Browser;
  /** Where screenshots go (.tmp/test-output/console). */
  shots!: string;
  /** Every Content-Security-Policy violation a page of this demo reported. */
  readonly cspErrors: string[] = [];
  #child?: ChildProcess;
  #dir?: string;

  async start(): Promise<void> {
    this.#dir = await makeTempDir('govfed-console-');
    const child = spawn(process.execPath, [CLI, 'demo', '--json', '--dir', this.#dir], {
      cwd: ROOT,
      env: childEnv(),
      stdio: 'pipe',
    });
    this.#child = child;
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    await until('the demo federation', async () => out.trim().endsWith('}') || child.exitCode !== null, 170_000);
    this.demo = JSON.parse(out) as DemoOutput;
    this.browser = await launchBrowser();
    this.shots = await outputDir('console');
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    const child = this.#child;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('close', r));
      child.kill('SIGINT');
      await exited;
    }
    if (this.#dir !== undefined) await removeDir(this.#dir);
  }

  node(org: string): DemoOutput['nodes'][number] {
    return this.demo.nodes.find((n) => n.org === org) as DemoOutput['nodes'][number];
  }

  /** The node's API with its admin token. */
  async api<T>(org: string, method: string, url: string, body?: unknown): Promise<T> {
    const n = this.node(org);
    const res = await fetch(`${n.api}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${n.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** A new page that records CSP violations (not logged in). */
  async newPage(): Promise<Page> {
    const page = await this.browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) this.cspErrors.push(m.text());
    });
    return page;
  }

  /** A fresh page logged in to `org`'s console with a new auditor token, on `hash`. */
  async loggedIn(org: string, hash = '#/federation'): Promise<Page> {
    const { token } = await this.api<{ token: string }>(org, 'POST', '/v1/tokens', { role: 'auditor' });
    const page = await this.newPage();
    await page.goto(`${this.node(org).console}${hash}`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    await page.locator('.live[data-live="live"]').waitFor();
    return page;
  }
}

/** axe-core (WCAG 2 A/AA) finds nothing on the page. */
export async function checkA11y(page: Page, name: string): Promise<void> {
  const v = await axeViolations(page);
  expect(
    v.map((x) => `${name}: ${x.id} (${x.impact}) ${x.help} ${JSON.stringify(x.nodes.map((n) => n.target))}`),
  ).toEqual([]);
}
