import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exists, writeFileAtomic } from '../../../node/home/fs.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'govfed-fs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  describe('when the file does not exist', () => {
    it('creates it with the given mode and leaves no temporary file', async () => {
      const f = join(dir, 'secret');
      await writeFileAtomic(f, 'x', 0o600);
      expect(await readFile(f, 'utf8')).toBe('x');
      expect(((await stat(f)).mode & 0o777).toString(8)).toBe('600');
      expect(await readdir(dir)).toEqual(['secret']);
    });
  });

  describe('when the file exists with another mode', () => {
    it('replaces content and mode', async () => {
      const f = join(dir, 'f');
      await writeFile(f, 'old', { mode: 0o666 });
      await writeFileAtomic(f, new Uint8Array([1, 2]), 0o600);
      expect(new Uint8Array(await readFile(f))).toEqual(new Uint8Array([1, 2]));
      expect(((await stat(f)).mode & 0o777).toString(8)).toBe('600');
    });
  });

  describe('when the directory does not exist', () => {
    it('throws and creates nothing', async () => {
      await expect(writeFileAtomic(join(dir, 'no', 'f'), 'x', 0o600)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await readdir(dir)).toEqual([]);
    });
  });
});

describe('exists', () => {
  describe('when asked about a path', () => {
    it('tells whether it exists', async () => {
      expect(await exists(join(dir, 'nope'))).toBe(false);
      expect(await exists(dir)).toBe(true);
    });
  });
});
