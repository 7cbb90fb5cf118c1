import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { identityKeyPem, readIdentityKey, writeIdentityKey } from '../../../node/registry/identity-key.ts';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import { keyIdOf } from '../../../protocol/dsse/index.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const SEED = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'govfed-identity-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeIdentityKey / readIdentityKey', () => {
  describe('when a key is written and read back', () => {
    it('gives the same seed, public key and keyid; the file is 0600 PKCS #8 PEM', async () => {
      const file = join(dir, 'alice.key');
      await writeIdentityKey(file, SEED);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(await readFile(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      const k = await readIdentityKey(file);
      expect(k.seed).toEqual(SEED);
      expect(k.publicKey).toEqual(keyPairFromSeed(SEED).publicKey);
      expect(k.keyid).toBe(keyIdOf(k.publicKey));
    });
  });
  describe('when OpenSSL reads the file', () => {
    it('sees an ED25519 key with the same public key', async () => {
      const file = join(dir, 'alice.key');
      await writeIdentityKey(file, SEED);
      const der = execFileSync('openssl', ['pkey', '-in', file, '-pubout', '-outform', 'DER']);
      expect(new Uint8Array(der.subarray(-32))).toEqual(keyPairFromSeed(SEED).publicKey);
    });
  });
  describe('when the file exists already', () => {
    it('is ERR_FILE_EXISTS and the file is unchanged', async () => {
      const file = join(dir, 'alice.key');
      await writeFile(file, 'keep me', { mode: 0o600 });
      await expect(writeIdentityKey(file, SEED)).rejects.toMatchObject({ code: 'ERR_FILE_EXISTS' });
      expect(await readFile(file, 'utf8')).toBe('keep me');
    });
  });
  describe('when the file is readable by others', () => {
    it('is ERR_INSECURE_PERMISSIONS', async () => {
      const file = join(dir, 'alice.key');
      await writeIdentityKey(file, SEED);
      await chmod(file, 0o644);
      await expect(readIdentityKey(file)).rejects.toMatchObject({ code: 'ERR_INSECURE_PERMISSIONS' });
    });
  });
  describe('when the file is not an Ed25519 key', () => {
    it.each([
      [
        'an EC key',
        () =>
          execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']).toString(),
      ],
      ['garbage', () => 'not a key'],
      ['a truncated PEM', () => identityKeyPem(SEED).slice(0, 60)],
    ])('refuses %s: ERR_INVALID_KEY', async (_, make) => {
      const file = join(dir, 'other.key');
      await writeFile(file, make(), { mode: 0o600 });
      await expect(readIdentityKey(file)).rejects.toThrow(code('ERR_INVALID_KEY'));
    });
  });
});
