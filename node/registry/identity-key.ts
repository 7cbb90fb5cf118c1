/**
 * A person's key file (docs/registry.md "People, keys and roles"): their Ed25519 private key as an
 * unencrypted PKCS #8 PEM ("-----BEGIN PRIVATE KEY-----", RFC 8410), which OpenSSL and most tools read.
 * It is made and kept on the person's machine; the node only ever sees the public key.
 *
 *   writeIdentityKey(file, seed)  creates FILE with mode 0600; an existing file is never overwritten
 *                                 (ERR_FILE_EXISTS): a lost approver key cannot be replaced by accident
 *   readIdentityKey(file)         → {seed, publicKey, keyid}; refuses a file group or others can read
 *                                 (ERR_INSECURE_PERMISSIONS) and anything but an Ed25519 key (ERR_INVALID_KEY)
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { keyPairFromSeed } from '../../protocol/crypto/ed25519.ts';
import { keyIdOf } from '../../protocol/dsse/index.ts';
import { GovfedError } from '../../protocol/errors.ts';
import { NodeError } from '../errors.ts';
import { checkPrivateFile } from '../home/permissions.ts';

/** DER prefix of a PKCS #8 Ed25519 private key (RFC 8410 §7) before the 32-byte seed. */
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
/** A key file is about 120 bytes; anything much larger is not one. */
const MAX_KEY_FILE_BYTES = 16 * 1024;

export interface IdentityKey {
  /** The 32-byte Ed25519 seed. Secret. */
  seed: Uint8Array;
  publicKey: Uint8Array;
  /** keyIdOf(publicKey): how envelopes and rosters name the key. */
  keyid: string;
}

/** The PEM text of a seed (PKCS #8, RFC 8410). */
export function identityKeyPem(seed: Uint8Array): string {
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, keyPairFromSeed(seed).seed]);
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Creates `file` (0600) holding the key; never overwrites. */
export async function writeIdentityKey(file: string, seed: Uint8Array): Promise<void> {
  const pem = identityKeyPem(seed);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'wx', 0o600);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new NodeError(
        'ERR_FILE_EXISTS',
        `${file} exists already: a key file is never overwritten; choose another path`,
      );
    }
    throw cause;
  }
  try {
    await handle.writeFile(pem);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Reads a person's key file (attacker-controlled bytes, our own permission rules). */
export async function readIdentityKey(file: string): Promise<IdentityKey> {
  await checkPrivateFile(file);
  return parseIdentityKey(await readFile(file), file);
}

/** A key's PEM bytes (`where`: named in errors) as an IdentityKey; ERR_INVALID_KEY for anything else. */
export function parseIdentityKey(bytes: Uint8Array, where: string): IdentityKey {
  const file = where;
  if (bytes.length > MAX_KEY_FILE_BYTES)
    throw new GovfedError('ERR_INVALID_KEY', `${file} is not a key file (too large)`);
  let seed: Uint8Array;
  try {
    const key = createPrivateKey({ key: Buffer.from(bytes), format: 'pem' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
    const der = new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }));
    seed = der.slice(der.length - 32);
    const pub = new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' })).slice(-32);
    if (Buffer.compare(Buffer.from(keyPairFromSeed(seed).publicKey), Buffer.from(pub)) !== 0)
      throw new Error('inconsistent key');
  } catch (cause) {
    throw new GovfedError('ERR_INVALID_KEY', `${file} is not an unencrypted Ed25519 private key (PKCS #8 PEM)`, {
      cause,
    });
  }
  const { publicKey } = keyPairFromSeed(seed);
  return { seed, publicKey, keyid: keyIdOf(publicKey) };
}
