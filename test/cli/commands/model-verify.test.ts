import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, runCli } from '../../helpers/cli.ts';
import { copyOmsVectors, writeEcKey } from '../../helpers/oms.ts';

let tmp: string;
let oms: string;
beforeAll(async () => {
  tmp = await makeTempDir('govfed-model-verify-');
  oms = await copyOmsVectors(tmp);
});
afterAll(async () => {
  await removeDir(tmp);
});

const PUB = ['--public-key', 'keys/signing-key-pub.pem'];
const CA = ['--certificate-chain', 'keys/ca-cert.pem'];
const verify = (model: string, trust: string[], extra: string[] = []) =>
  runCli(['model', 'verify', '--path', model, '--signature', `${model.split('/')[0]}/model.sig`, ...trust, ...extra], {
    cwd: oms,
  });

describe('govfed model verify', () => {
  describe('when given the reference vectors and the right key or chain', () => {
    it.each([
      ['v1.1.0-elliptic-key', PUB, 'v1.0'],
      ['v1.0.0-elliptic-key/signme-1', PUB, 'v1.0'],
      ['v1.1.0-certificate', CA, 'v1.0'],
      ['v1.0.0-certificate', CA, 'v1.0'],
      ['v0.2.0-certificate', CA, 'v0.2'],
    ])('%s verifies (exit 0)', async (model, trust, layout) => {
      const r = await verify(model, trust, ['--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ ok: true, layout, method: trust === PUB ? 'key' : 'certificate' });
      expect(out.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it('prints a readable report without --json', async () => {
      const r = await verify('v1.1.0-certificate', CA);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('OK: v1.1.0-certificate matches its signature (2 files)');
      expect(r.stdout).toContain('sha256:61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226');
    });
  });

  describe('when the model or the trust does not match (exit 1)', () => {
    it('refuses a keyless bundle: ERR_KEYLESS_UNSUPPORTED', async () => {
      const r = await verify('v1.1.0-sigstore', CA, ['--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).error.code).toBe('ERR_KEYLESS_UNSUPPORTED');
      expect(r.stderr).toContain('keyless needs a trust root');
    });

    it('refuses another key', async () => {
      const other = await writeEcKey(tmp, 'other', 'P-384');
      const r = await verify('v1.1.0-elliptic-key', ['--public-key', other.pub], ['--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).error.code).toBe('ERR_UNKNOWN_KEY');
    });

    it('refuses a --certificate-chain file that holds no certificate', async () => {
      const r = await verify('v1.1.0-certificate', ['--certificate-chain', 'keys/signing-key-pub.pem'], ['--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).error.code).toBe('ERR_MALFORMED_CERTIFICATE');
    });

    it('refuses a certificate bundle under a chain it does not lead to', async () => {
      // Another PKI's real certificate: the Fulcio certificate of the keyless vector.
      const keyless = JSON.parse(await readFile(path.join(oms, 'v1.1.0-sigstore', 'model.sig'), 'utf8'));
      const der: string = keyless.verificationMaterial.certificate.rawBytes;
      const pem = path.join(tmp, 'other-ca.pem');
      await writeFile(
        pem,
        `-----BEGIN CERTIFICATE-----\n${der.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`,
      );
      const r = await verify('v1.1.0-certificate', ['--certificate-chain', pem], ['--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).error.code).toBe('ERR_UNTRUSTED_CERTIFICATE');
    });

    it('names a tampered file, an added file; --ignore-paths leaves the added one out', async () => {
      await writeFile(path.join(oms, 'v1.0.0-certificate', 'extra.bin'), 'new');
      const added = await verify('v1.0.0-certificate', CA, ['--json']);
      expect(added.code).toBe(1);
      expect(JSON.parse(added.stdout).error).toMatchObject({ code: 'ERR_MODEL_FILE_UNSIGNED', file: 'extra.bin' });
      const ignored = await verify('v1.0.0-certificate', CA, ['--ignore-paths', 'v1.0.0-certificate/extra.bin']);
      expect(ignored.code, ignored.stderr).toBe(0);

      await appendFile(path.join(oms, 'v1.1.0-elliptic-key', 'signme-1'), '!');
      const changed = await verify('v1.1.0-elliptic-key', PUB, ['--json']);
      expect(changed.code).toBe(1);
      expect(JSON.parse(changed.stdout).error).toMatchObject({ code: 'ERR_MODEL_FILE_CHANGED', file: 'signme-1' });
      expect(changed.stderr).toContain('ERR_MODEL_FILE_CHANGED');
    });
  });

  describe('when the command line is wrong (exit 2)', () => {
    it('needs exactly one of --public-key and --certificate-chain', async () => {
      expect((await verify('v1.1.0-certificate', [])).code).toBe(2);
      expect((await verify('v1.1.0-certificate', [...PUB, ...CA])).code).toBe(2);
    });

    it('refuses a model path that does not exist', async () => {
      const r = await runCli(
        ['model', 'verify', '--path', 'no-such-model', '--signature', 'v1.1.0-certificate/model.sig', ...CA, '--json'],
        { cwd: oms },
      );
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout).error.code).toBe('ERR_MODEL_NOT_FOUND');
    });

    it('refuses a signature file that does not exist', async () => {
      const r = await runCli(['model', 'verify', '--path', 'v1.1.0-certificate', '--signature', 'nope.sig', ...CA], {
        cwd: oms,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('ERR_USAGE');
    });
  });
});
