/**
 * GET / and GET /console/:file: the built console (console/dist, written by `npm ci`'s prepare script)
 * with the strict Content-Security-Policy; a typed 503 when it was not built.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, loadConsoleAssets } from '../../../../node/api/console/assets.ts';
import { startTestNode, type TestNode } from '../harness.ts';

let node: TestNode | undefined;
afterEach(async () => {
  await node?.close();
  node = undefined;
});

describe('console routes', () => {
  describe('when the console was built', () => {
    it('serves the page without a token, with the CSP, and the page has no inline script or style', async () => {
      node = await startTestNode();
      const res = await node.app.inject({ url: '/' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      const html = res.body;
      expect(html).toContain('<script type="module" src="/console/app.js"></script>');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script has a src
      expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i); // no inline style or handler
      expect(html).not.toMatch(/https?:\/\//); // nothing from another host
    });

    it('serves the script, style sheet and icon with their types', async () => {
      node = await startTestNode();
      for (const [file, type] of [
        ['app.js', 'text/javascript; charset=utf-8'],
        ['app.css', 'text/css; charset=utf-8'],
        ['icon.svg', 'image/svg+xml'],
      ]) {
        const res = await node.app.inject({ url: `/console/${file}` });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe(type);
        expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
        expect(res.rawPayload.length).toBeGreaterThan(0);
      }
    });

    it('answers 400 ERR_VALIDATION for any other file name, and never reads a path', async () => {
      node = await startTestNode();
      for (const url of ['/console/index.html', '/console/..%2Fpackage.json', '/console/app.js.map']) {
        const res = await node.app.inject({ url });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe('ERR_VALIDATION');
      }
    });
  });

  describe('when the console was not built', () => {
    it('answers 503 ERR_CONSOLE_NOT_BUILT', async () => {
      node = await startTestNode({ consoleAssets: loadConsoleAssets('/nonexistent/govfed-console') });
      for (const url of ['/', '/console/app.js']) {
        const res = await node.app.inject({ url });
        expect(res.statusCode).toBe(503);
        expect(res.json().error.code).toBe('ERR_CONSOLE_NOT_BUILT');
      }
    });
  });
});
