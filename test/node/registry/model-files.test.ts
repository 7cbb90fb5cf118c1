import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashModelDir, resolveIgnorePaths, verifyModelDir } from '../../../node/registry/index.ts';
import { makeTempDir, removeDir } from '../../helpers/cli.ts';
import { vectorPath } from '../../helpers/paths.ts';

const sha = (b: string) => createHash('sha256').update(b).digest('hex');
const code = (c: string) => expect.objectContaining({ code: c });

let tmp: string;
beforeEach(async () => {
  tmp = await makeTempDir('govfed-model-');
});
afterEach(async () => {
  await removeDir(tmp);
});

async function write(rel: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(tmp, rel)), { recursive: true });
  await writeFile(path.join(tmp, rel), text);
}

describe('hashModelDir', () => {
  describe('when the directory holds regular files', () => {
    it('hashes every file under its POSIX path, sorted by component, and the root over them', async () => {
      await write('a-b', 'x');
      await write('a/b', 'y');
      await write('z', 'z');
      const m = await hashModelDir(tmp);
      expect(m.resources).toEqual([
        { name: 'a/b', digest: sha('y') },
        { name: 'a-b', digest: sha('x') },
        { name: 'z', digest: sha('z') },
      ]);
      const root = createHash('sha256')
        .update(Buffer.from(sha('y') + sha('x') + sha('z'), 'hex'))
        .digest('hex');
      expect(m.digest).toBe(`sha256:${root}`);
      expect(m).toMatchObject({ modelName: path.basename(tmp), files: 3, totalBytes: 3 });
    });

    it('leaves out the git files by default and the ignore paths (a directory with all below it)', async () => {
      await write('w.bin', 'w');
      await write('.git/HEAD', 'ref');
      await write('.gitignore', '*');
      await write('cache/x/y', 'c');
      await write('cache2', 'kept');
      const m = await hashModelDir(tmp, { ignorePaths: ['cache'] });
      expect(m.resources.map((r) => r.name)).toEqual(['cache2', 'w.bin']);
      expect(m.ignorePaths).toEqual(['cache', '.git', '.gitattributes', '.github', '.gitignore']);
      const all = await hashModelDir(tmp, { ignoreGitPaths: false });
      expect(all.resources.map((r) => r.name)).toContain('.git/HEAD');
    });

    it('hashes a file larger than one read chunk the same as a one-shot SHA-256', async () => {
      const big = 'q'.repeat(200_000);
      await write('big', big);
      expect((await hashModelDir(tmp)).resources).toEqual([{ name: 'big', digest: sha(big) }]);
    });

    it('gives the subject digests of the reference vectors', async () => {
      const m = await hashModelDir(vectorPath('oms', 'v1.1.0-certificate'), {
        ignorePaths: ['ignore-me', 'model.sig'],
      });
      expect(m.digest).toBe('sha256:61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226');
      const one = await hashModelDir(vectorPath('oms', 'v1.0.0-elliptic-key', 'signme-1'));
      expect(one.resources.map((r) => r.name)).toEqual(['.']);
      expect(one.digest).toBe('sha256:afa48c8674afe334b8a7dea34f7b46ab256e9255edf8da2132792341b667a45b');
    });
  });

  describe('when the directory holds something other than regular files', () => {
    it('refuses a symbolic link, naming it: ERR_MODEL_SPECIAL_FILE', async () => {
      await write('real', 'r');
      await symlink(path.join(tmp, 'real'), path.join(tmp, 'link'));
      await expect(hashModelDir(tmp)).rejects.toThrow(/link is a symbolic link/);
      await expect(hashModelDir(tmp)).rejects.toThrow(code('ERR_MODEL_SPECIAL_FILE'));
    });

    it('refuses a symlinked model path and a dangling link', async () => {
      await mkdir(path.join(tmp, 'm'));
      await symlink(path.join(tmp, 'm'), path.join(tmp, 'alias'));
      await expect(hashModelDir(path.join(tmp, 'alias'))).rejects.toThrow(code('ERR_MODEL_SPECIAL_FILE'));
      await symlink(path.join(tmp, 'nowhere'), path.join(tmp, 'm', 'dangling'));
      await expect(hashModelDir(path.join(tmp, 'm'))).rejects.toThrow(code('ERR_MODEL_SPECIAL_FILE'));
    });

    it('refuses a FIFO: ERR_MODEL_SPECIAL_FILE', async () => {
      execFileSync('mkfifo', [path.join(tmp, 'pipe')]);
      await expect(hashModelDir(tmp)).rejects.toThrow(code('ERR_MODEL_SPECIAL_FILE'));
    });

    it('refuses a file name with a control character', async () => {
      await write('bad\nname', 'x');
      await expect(hashModelDir(tmp)).rejects.toThrow(code('ERR_MODEL_SPECIAL_FILE'));
    });

    it('ignores a symlink inside an ignored path', async () => {
      await write('w', 'w');
      await mkdir(path.join(tmp, 'skip'));
      await symlink('/etc/passwd', path.join(tmp, 'skip', 'link'));
      expect((await hashModelDir(tmp, { ignorePaths: ['skip'] })).files).toBe(1);
    });
  });

  describe('when the model is over its bounds or absent', () => {
    it('refuses more files than maxFiles and more bytes than maxBytes: ERR_MODEL_TOO_LARGE', async () => {
      for (const n of ['a', 'b', 'c']) await write(n, '1234');
      await expect(hashModelDir(tmp, { maxFiles: 2 })).rejects.toThrow(code('ERR_MODEL_TOO_LARGE'));
      await expect(hashModelDir(tmp, { maxBytes: 11 })).rejects.toThrow(code('ERR_MODEL_TOO_LARGE'));
      expect((await hashModelDir(tmp, { maxFiles: 3, maxBytes: 12 })).files).toBe(3);
    });

    it('refuses a path that does not exist: ERR_MODEL_NOT_FOUND', async () => {
      await expect(hashModelDir(path.join(tmp, 'missing'))).rejects.toThrow(code('ERR_MODEL_NOT_FOUND'));
    });
  });
});

describe('resolveIgnorePaths', () => {
  it('makes paths relative to the model and drops those outside it', () => {
    expect(resolveIgnorePaths('model', ['model/a', '/abs/else', 'other/b', 'model/sub/c', 'model'], '/work')).toEqual([
      'a',
      'sub/c',
    ]);
  });
});

describe('verifyModelDir', () => {
  it('verifies a vector copied elsewhere, honouring the ignores the signature records', async () => {
    await cp(vectorPath('oms', 'v1.1.0-elliptic-key'), tmp, { recursive: true });
    const publicKey = await readFile(vectorPath('oms', 'keys', 'signing-key-pub.pem'), 'utf8');
    const bundle = await readFile(path.join(tmp, 'model.sig'));
    const r = await verifyModelDir(tmp, bundle, { method: 'key', publicKey });
    expect(r).toMatchObject({ method: 'key', files: 2, digest: expect.stringMatching(/^sha256:/) });
    await chmod(path.join(tmp, 'signme-2'), 0o644);
    await writeFile(path.join(tmp, 'signme-2'), 'tampered');
    await expect(verifyModelDir(tmp, bundle, { method: 'key', publicKey })).rejects.toThrow(
      expect.objectContaining({ code: 'ERR_MODEL_FILE_CHANGED', file: 'signme-2' }),
    );
  });

  it('checks the signature before reading the model', async () => {
    const publicKey = await readFile(vectorPath('oms', 'keys', 'signing-key-pub.pem'), 'utf8');
    await expect(
      verifyModelDir(path.join(tmp, 'absent'), Buffer.from('{}'), { method: 'key', publicKey }),
    ).rejects.toThrow(code('ERR_MALFORMED_OMS_BUNDLE'));
  });
});
