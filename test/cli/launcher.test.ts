import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MIN_NODE, MIN_NODE_23 } from '../../cli/node-version.ts';

const LAUNCHER = fileURLToPath(new URL('../../cli/govfed.mjs', import.meta.url));

/** Runs cli/govfed.mjs --version with process.versions.node reading `version`. */
function launchAs(version: string) {
  const fake = `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: ${JSON.stringify(version)} } });`;
  return spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(fake)}`, LAUNCHER, '--version'],
    { encoding: 'utf8', timeout: 20_000 },
  );
}

describe('cli/govfed.mjs', () => {
  describe('when compared with cli/node-version.ts', () => {
    it('checks the same minimum Node.js versions', () => {
      const text = readFileSync(LAUNCHER, 'utf8');
      expect(text).toContain(`const MIN_NODE = '${MIN_NODE}';`);
      expect(text).toContain(`const MIN_NODE_23 = '${MIN_NODE_23}';`);
    });
  });

  describe('when run by a Node.js that needs a flag for .ts files', () => {
    it.each(['22.17.0', '23.5.0', '20.19.0'])('exits 4 naming the versions that work (as %s)', (v) => {
      const r = launchAs(v);
      expect(r.status).toBe(4);
      expect(r.stderr).toContain(`needs Node.js ${MIN_NODE} or newer (${MIN_NODE_23} on the 23 line)`);
      expect(r.stderr).toContain(`this is Node.js ${v}.`);
    });
  });

  describe('when run by a Node.js that strips types by default', () => {
    it.each(['22.18.0', '23.6.0'])('goes on to the CLI (as %s)', (v) => {
      const r = launchAs(v);
      expect(r.stderr).not.toContain('needs Node.js');
      expect(r.status).not.toBe(4);
    });
  });

  describe('when package.json names the executable', () => {
    it('points "govfed" at the launcher', () => {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
      expect(pkg.bin.govfed).toBe('cli/govfed.mjs');
    });
  });
});
