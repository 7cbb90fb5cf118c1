/**
 * Loading a home directory for the daemon: the config, the log signer and the peer key, cross-checked.
 *
 * Checklist: config.json is valid → key files are not readable by group or others → log.key parses →
 * its key name is the configured origin, the origin's key id is the key's, the verifier key is the
 * configured one → peer.key gives the configured peer id. Any mismatch stops the node: signing
 * checkpoints with a key other than the one auditors were given would look like a forked log.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { NoteSigner } from '../../protocol/note/index.ts';
import { NodeError } from '../errors.ts';
import { type HomePaths, homePaths, type NodeConfig, readConfig } from './config.ts';
import { logOrigin, parseLogKey, peerIdOfKey } from './keys.ts';

export interface LoadedHome {
  /** Absolute path of DIR. */
  dir: string;
  paths: HomePaths;
  config: NodeConfig;
  /** Signs checkpoints as config.origin. */
  signer: NoteSigner;
  logPublicKey: Uint8Array;
  /** The libp2p private key, protobuf-encoded (secret). */
  peerKey: Uint8Array;
}

async function readSecret(file: string): Promise<Buffer> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (cause) {
    throw new NodeError('ERR_INVALID_CONFIG', `missing key file ${file}`, { cause });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new NodeError(
      'ERR_INSECURE_PERMISSIONS',
      `${file} is accessible by group or others (mode ${(mode & 0o777).toString(8)}); run chmod 600`,
    );
  }
  return readFile(file);
}

/** Loads and cross-checks the home at `dir`. */
export async function loadHome(dir: string): Promise<LoadedHome> {
  const abs = resolve(dir);
  const paths = homePaths(abs);
  const config = await readConfig(abs);

  const logKey = parseLogKey((await readSecret(paths.logKey)).toString('utf8'));
  const mismatch = (what: string) =>
    new NodeError('ERR_KEY_MISMATCH', `keys/log.key does not match config.json: ${what}`);
  if (logKey.signer.name !== config.origin) throw mismatch('key name is not the origin');
  if (logOrigin(config.org, logKey.publicKey) !== config.origin) throw mismatch('origin is not derived from the key');
  if (logKey.verifierKey !== config.verifierKey) throw mismatch('verifierKey differs');

  const peerKey = new Uint8Array(await readSecret(paths.peerKey));
  if (peerIdOfKey(peerKey) !== config.peerId) {
    throw new NodeError('ERR_KEY_MISMATCH', 'keys/peer.key does not match config.json peerId');
  }
  return { dir: abs, paths, config, signer: logKey.signer, logPublicKey: logKey.publicKey, peerKey };
}
