import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONSOLE_FILES, CONTENT_SECURITY_POLICY, loadConsoleAssets } from '../../../../node/api/console/assets.ts';

describe('loadConsoleAssets', () => {
  describe('when the build wrote some of the files', () => {
    it('reads those and names the missing ones', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'govfed-console-'));
      try {
        await writeFile(path.join(dir, 'index.html'), '<!doctype html>');
        const a = loadConsoleAssets(dir);
        expect(a.files['index.html']?.toString()).toBe('<!doctype html>');
        expect(a.missing.sort()).toEqual(
          Object.keys(CONSOLE_FILES)
            .filter((f) => f !== 'index.html')
            .sort(),
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('the Content-Security-Policy', () => {
    it('allows scripts and styles from this origin only: nothing inline, no eval, no other host', () => {
      expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
      expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
      expect(CONTENT_SECURITY_POLICY).toContain("style-src 'self'");
      expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
      expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    });
  });
});
