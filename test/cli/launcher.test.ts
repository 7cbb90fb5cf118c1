import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIN_NODE_MAJOR } from '../../cli/node-version.ts';

describe('cli/govfed.mjs', () => {
  describe('when compared with cli/node-version.ts', () => {
    it('checks the same minimum Node.js major version', () => {
      const text = readFileSync(new URL('../../cli/govfed.mjs', import.meta.url), 'utf8');
      expect(text).toContain(`const MIN_NODE_MAJOR = ${MIN_NODE_MAJOR};`);
    });
  });

  describe('when package.json names the executable', () => {
    it('points "govfed" at the launcher', () => {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
      expect(pkg.bin.govfed).toBe('cli/govfed.mjs');
    });
  });
});
