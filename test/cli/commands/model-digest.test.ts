import { createHash } from 'node:crypto';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, runCli } from '../../helpers/cli.ts';
import { copyOmsVectors } from '../../helpers/oms.ts';

let tmp: string;
let oms: string;
beforeAll(async () => {
  tmp = await makeTempDir('govfed-model-digest-');
  oms = await copyOmsVectors(tmp);
});
afterAll(async () => {
  await removeDir(tmp);
});

describe('govfed model digest', () => {
  describe('with --path', () => {
    it('prints the subject digest of the vector the reference signed', async () => {
      const r = await runCli(
        [
          'model',
          'digest',
          '--path',
          'v1.1.0-elliptic-key',
          '--ignore-paths',
          'v1.1.0-elliptic-key/ignore-me',
          '--ignore-paths',
          'v1.1.0-elliptic-key/model.sig',
        ],
        { cwd: oms },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('sha256:92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4\n');
    });

    it('lists the files with --json', async () => {
      const r = await runCli(['model', 'digest', '--path', 'v1.0.0-elliptic-key/signme-1', '--json'], { cwd: oms });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        ok: true,
        digest: 'sha256:afa48c8674afe334b8a7dea34f7b46ab256e9255edf8da2132792341b667a45b',
        assurance: 'bytes',
        files: 1,
        resources: [{ name: '.' }],
      });
    });

    it('refuses a model holding a symbolic link (exit 1)', async () => {
      await symlink('/etc/hostname', path.join(oms, 'v1.1.0-certificate', 'link'));
      const r = await runCli(['model', 'digest', '--path', 'v1.1.0-certificate', '--json'], { cwd: oms });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'ERR_MODEL_SPECIAL_FILE' });
    });

    it('refuses a path that does not exist (exit 2)', async () => {
      const r = await runCli(['model', 'digest', '--path', 'no-such-model'], { cwd: oms });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('ERR_MODEL_NOT_FOUND');
    });
  });

  describe('with --external', () => {
    it('prints the opaque digest of PROVIDER/MODEL@SNAPSHOT', async () => {
      const r = await runCli(['model', 'digest', '--external', 'openai/gpt-4o@2024-08-06', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const jcs = '{"model":"gpt-4o","provider":"openai","snapshot":"2024-08-06"}';
      expect(JSON.parse(r.stdout)).toEqual({
        ok: true,
        ref: 'openai/gpt-4o@2024-08-06',
        digest: `sha256:${createHash('sha256').update(jcs).digest('hex')}`,
        assurance: 'opaque',
      });
    });

    it('refuses a malformed reference and a second source (exit 2)', async () => {
      expect((await runCli(['model', 'digest', '--external', 'gpt-4o'])).code).toBe(2);
      expect((await runCli(['model', 'digest', '--external', 'a/b@c', '--path', '.'])).code).toBe(2);
      expect((await runCli(['model', 'digest'])).code).toBe(2);
    });
  });
});
