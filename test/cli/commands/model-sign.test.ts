import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, runCli } from '../../helpers/cli.ts';
import { writeEcKey } from '../../helpers/oms.ts';

let tmp: string;
let model: string;
beforeAll(async () => {
  tmp = await makeTempDir('govfed-model-sign-');
  model = path.join(tmp, 'my-model');
  await mkdir(path.join(model, 'shards'), { recursive: true });
  await writeFile(path.join(model, 'config.json'), '{"layers": 2}\n');
  await writeFile(path.join(model, 'shards', 'w-0.bin'), 'weights-0');
  await writeFile(path.join(model, 'shards', 'w-1.bin'), 'weights-1');
  await writeFile(path.join(model, 'notes.txt'), 'not part of the model');
});
afterAll(async () => {
  await removeDir(tmp);
});

describe('govfed model sign', () => {
  describe('when signing with an EC key', () => {
    it.each(['P-256', 'P-384', 'P-521'])('writes a bundle that model verify accepts (%s)', async (curve) => {
      const k = await writeEcKey(tmp, `k-${curve}`, curve);
      const out = path.join(model, 'model.sig');
      const signed = await runCli(
        [
          'model',
          'sign',
          '--path',
          'my-model',
          '--key',
          k.key,
          '--out',
          out,
          '--ignore-paths',
          'my-model/notes.txt',
          '--json',
        ],
        { cwd: tmp },
      );
      expect(signed.code, signed.stderr).toBe(0);
      const s = JSON.parse(signed.stdout);
      expect(s).toMatchObject({ ok: true, files: 3, modelName: 'my-model' });
      expect(s.ignorePaths).toEqual(expect.arrayContaining(['notes.txt', 'model.sig', '.git']));

      const verified = await runCli(
        ['model', 'verify', '--path', 'my-model', '--signature', out, '--public-key', k.pub, '--json'],
        {
          cwd: tmp,
        },
      );
      expect(verified.code, verified.stderr).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, digest: s.digest, files: 3 });

      const digest = await runCli(
        ['model', 'digest', '--path', 'my-model', '--ignore-paths', 'my-model/notes.txt', '--ignore-paths', out],
        { cwd: tmp },
      );
      expect(digest.stdout.trim()).toBe(s.digest);
    });

    it('writes the reference bundle shape', async () => {
      const k = await writeEcKey(tmp, 'shape', 'P-384');
      const out = path.join(tmp, 'shape.sig');
      const r = await runCli(['model', 'sign', '--path', model, '--key', k.key, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('OK: signed my-model');
      const bundle = JSON.parse(await readFile(out, 'utf8'));
      expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
      expect(bundle.verificationMaterial.publicKey.hint).toMatch(/^[0-9a-f]{64}$/);
      expect(bundle.dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json');
      const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
      expect(statement.predicateType).toBe('https://model_signing/signature/v1.0');
      const names = statement.predicate.resources.map((x: { name: string }) => x.name);
      // model.sig, if an earlier test left one in the model, is an ordinary file here (--out is elsewhere)
      expect(names.filter((n: string) => n !== 'model.sig')).toEqual([
        'config.json',
        'notes.txt',
        'shards/w-0.bin',
        'shards/w-1.bin',
      ]);
    });
  });

  describe('when the key or the command line is wrong', () => {
    it('refuses an RSA key: ERR_INVALID_KEY (exit 1)', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const rsa = path.join(tmp, 'rsa.pem');
      await writeFile(rsa, privateKey.export({ format: 'pem', type: 'pkcs8' }));
      const r = await runCli(['model', 'sign', '--path', model, '--key', rsa, '--out', path.join(tmp, 'x.sig')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('ERR_INVALID_KEY');
    });

    it('needs --path and --key (exit 2)', async () => {
      expect((await runCli(['model', 'sign', '--path', model])).code).toBe(2);
      expect((await runCli(['model', 'sign', '--key', 'k.pem'])).code).toBe(2);
    });
  });
});
