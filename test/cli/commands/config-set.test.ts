/**
 * `govfed config set` as a user runs it: the real CLI on a real home, without and with a running daemon.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, runCliJson } from '../../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../../helpers/daemon.ts';

let node: TestNode;

beforeAll(async () => {
  node = await initNode('eu', ['--jurisdiction', 'EU']);
}, 60_000);

afterAll(async () => {
  await killAllDaemons();
  if (node !== undefined) await removeDir(node.tmp);
});

const config = async () => JSON.parse(await readFile(path.join(node.home, 'config.json'), 'utf8'));

describe('govfed config set', () => {
  describe('when asked for --help', () => {
    it('lists the keys, what each takes, and the restart rule', async () => {
      const r = await runCli(['config', 'set', '--help']);
      expect(r.code).toBe(0);
      for (const s of ['jurisdiction', 'listen', 'api', 'restart']) expect(r.stdout).toContain(s);
    });
  });
  describe('when the node is stopped', () => {
    it('sets the value (readable output), no restart needed', async () => {
      const r = await runCli(['config', 'set', '--home', node.home, 'listen', '/ip4/127.0.0.1/tcp/0']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('listen: /ip4/0.0.0.0/tcp/7371 → /ip4/127.0.0.1/tcp/0');
      expect(r.stdout).not.toContain('restart');
      expect((await config()).listen).toBe('/ip4/127.0.0.1/tcp/0');
    });
  });
  describe('when the node is running', () => {
    it('writes the value and says the node must be restarted; the restarted node uses it', async () => {
      const daemon = await DaemonProcess.start(node.home);
      const r = await runCliJson(['config', 'set', '--home', node.home, 'jurisdiction', 'DE']);
      expect(r).toMatchObject({
        key: 'jurisdiction',
        previous: 'EU',
        value: 'DE',
        changed: true,
        running: true,
        restartRequired: true,
      });
      const text = await runCli(['config', 'set', '--home', node.home, 'jurisdiction', 'FR']);
      expect(text.stdout).toContain('restart it (govfed stop --home');
      await daemon.stop();
      const again = await DaemonProcess.start(node.home);
      const info = (await (await again.fetch('/v1/node', { token: node.adminToken })).json()) as Record<
        string,
        unknown
      >;
      expect(JSON.stringify(info)).toContain('"FR"');
      await again.stop();
    }, 120_000);
  });
  describe('when the input is bad', () => {
    const cases: [string[], number, string][] = [
      [['jurisdiction', 'germany'], 2, 'ERR_USAGE'],
      [['listen', 'tcp://1.2.3.4:1'], 2, 'ERR_USAGE'],
      [['api', '1.2.3.4'], 2, 'ERR_USAGE'],
      [['peerId', 'x'], 2, 'ERR_USAGE'],
      [['jurisdiction'], 2, 'ERR_USAGE'],
    ];
    for (const [args, exit, code] of cases) {
      it(`exits ${exit} with ${code} for ${args.join(' ')} and changes nothing`, async () => {
        const before = await readFile(path.join(node.home, 'config.json'), 'utf8');
        const r = await runCli(['config', 'set', '--home', node.home, ...args, '--json']);
        expect(r.code).toBe(exit);
        expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code });
        expect(await readFile(path.join(node.home, 'config.json'), 'utf8')).toBe(before);
      });
    }
    it('fails with ERR_HOME_NOT_FOUND (exit 4) for a directory that is not a home', async () => {
      const r = await runCli(['config', 'set', '--home', path.join(node.tmp, 'none'), 'jurisdiction', 'DE', '--json']);
      expect(r.code).toBe(4);
      expect(JSON.parse(r.stdout)).toMatchObject({ code: 'ERR_HOME_NOT_FOUND' });
    });
  });
});
