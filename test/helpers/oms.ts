/**
 * Shared set-up of the `govfed model …` CLI tests: the OMS vectors copied to a temporary directory (the
 * tests change files there, never in the repository) and fresh EC keys written as PEM files.
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmod, cp, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { vectorPath } from './paths.ts';

/** Copies test/vectors/oms into `dir`/oms, writable. Returns that folder. */
export async function copyOmsVectors(dir: string): Promise<string> {
  const dest = path.join(dir, 'oms');
  await cp(vectorPath('oms'), dest, { recursive: true });
  for (const rel of await readdir(dest, { recursive: true })) await chmod(path.join(dest, rel), 0o755);
  await chmod(dest, 0o755);
  return dest;
}

/** A fresh EC key pair as PEM files `name`.pem (PKCS #8 private) and `name`.pub (SPKI). */
export async function writeEcKey(dir: string, name: string, curve = 'P-256'): Promise<{ key: string; pub: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const key = path.join(dir, `${name}.pem`);
  const pub = path.join(dir, `${name}.pub`);
  await writeFile(key, privateKey.export({ format: 'pem', type: 'pkcs8' }));
  await writeFile(pub, publicKey.export({ format: 'pem', type: 'spki' }));
  return { key, pub };
}
