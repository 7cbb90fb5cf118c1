/**
 * Loading a home directory for the daemon: the config, the log signer and the peer key, cross-checked.
 *
 * Checklist: config.json is valid → key files and token files (tokens.json, admin.token) are not
 * accessible by group or others → DIR/data and DIR/witness/db are made 0700/0600 → log.key parses →
 * its key name is the configured origin, the origin's key id is the key's, the verifier key is the
 * configured one → peer.key gives the configured peer id → witness.key gives config.witnessKey. Any
 * mismatch stops the node: signing checkpoints with a key other than the one auditors were given would
 * look like a forked log.
 *
 * Homes made before witnessing have neither keys/witness.key nor config.witnessKey: the key is created
 * here (mode 0600) and config.json gains witnessKey. A config that names a witness key whose file is
 * gone is ERR_KEY_MISMATCH — a new key would not match the one the charter publishes.
 */
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { NoteSigner } from '../../protocol/note/index.ts';
import { NodeError } from '../errors.ts';
import type { LogStoreSpec } from '../log/store.ts';
import { type HomePaths, homePaths, type NodeConfig, readConfig } from './config.ts';
import { exists, writeFileAtomic } from './fs.ts';
import {
  logOrigin,
  newWitnessKey,
  parseLogKey,
  parseWitnessKey,
  peerIdOfKey,
  type WitnessKey,
  witnessKeyName,
} from './keys.ts';
import { checkPrivateFile, tightenTree } from './permissions.ts';
import { logStoreOf } from './store-config.ts';

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
  /** Cosigns other logs' checkpoints (cosignature/v1) as config.witnessKey. */
  witnessSigner: NoteSigner;
  /** Where the audit log is: DIR/data, or config.store with keys/store.password (a secret). */
  store: LogStoreSpec;
}

/** The log's store of a home (reads keys/store.password when config.store names PostgreSQL and it exists). */
export async function homeStore(paths: HomePaths, config: NodeConfig): Promise<LogStoreSpec> {
  const password =
    config.store !== undefined && (await exists(paths.storePassword))
      ? (await readSecret(paths.storePassword)).toString('utf8').replace(/\r?\n$/, '')
      : undefined;
  return logStoreOf(config.store, paths.data, password);
}

/** A key file (checked private: mode 0600, owned by us); ERR_INVALID_CONFIG when missing. */
export async function readSecret(file: string): Promise<Buffer> {
  try {
    await checkPrivateFile(file);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause;
    throw new NodeError('ERR_INVALID_CONFIG', `missing key file ${file}`, { cause });
  }
  return readFile(file);
}

/** Loads and cross-checks the home at `dir`. */
export async function loadHome(dir: string): Promise<LoadedHome> {
  const abs = resolve(dir);
  const paths = homePaths(abs);
  const config = await readConfig(abs);
  // Token files are checked like key files; the log's data is made private (raw decision records).
  for (const file of [paths.tokens, paths.adminToken]) if (await exists(file)) await checkPrivateFile(file);
  await tightenTree(paths.data);
  await tightenTree(join(paths.witness, 'db'));

  const logKey = parseLogKey((await readSecret(paths.logKey)).toString('utf8'));
  const mismatch = (what: string) =>
    new NodeError('ERR_KEY_MISMATCH', `keys/log.key does not match config.json: ${what}`);
  if (logKey.signer.name !== config.origin) throw mismatch('key name is not the origin');
  if (logOrigin(config.org, logKey.publicKey) !== config.origin) throw mismatch('origin is not derived from the key');
  if (logKey.verifierKey !== config.verifierKey) throw mismatch('verifierKey differs');

  const peerKey = await loadPeerKey(paths.peerKey, config.peerId);
  const witness = await loadWitnessKey(paths, config);
  return {
    dir: abs,
    paths,
    config,
    signer: logKey.signer,
    logPublicKey: logKey.publicKey,
    peerKey,
    witnessSigner: witness.signer,
    store: await homeStore(paths, config),
  };
}

/**
 * keys/peer.key, which must be config.json's peerId. A peer key rotation (node/federation/rotation.ts)
 * that stopped after config.json named the new id is finished here: keys/peer.key.next becomes the key.
 */
async function loadPeerKey(file: string, peerId: string): Promise<Uint8Array> {
  let key = new Uint8Array(await readSecret(file));
  const next = `${file}.next`;
  if (peerIdOfKey(key) !== peerId && (await exists(next))) {
    const promoted = new Uint8Array(await readSecret(next));
    if (peerIdOfKey(promoted) === peerId) {
      await writeFileAtomic(file, promoted, 0o600);
      await rm(next, { force: true });
      key = promoted;
    }
  }
  if (peerIdOfKey(key) !== peerId) {
    throw new NodeError('ERR_KEY_MISMATCH', 'keys/peer.key does not match config.json peerId');
  }
  return key;
}

/** keys/witness.key, created (with config.witnessKey) in a home made before witnessing. */
async function loadWitnessKey(paths: HomePaths, config: NodeConfig): Promise<WitnessKey> {
  if (!(await exists(paths.witnessKey))) {
    if (config.witnessKey !== undefined) {
      throw new NodeError('ERR_KEY_MISMATCH', 'config.json names a witnessKey but keys/witness.key is missing');
    }
    const fresh = newWitnessKey(config.org);
    await writeFileAtomic(paths.witnessKey, `${fresh.signerKey}\n`, 0o600);
    config.witnessKey = fresh.verifierKey;
    await writeFileAtomic(paths.config, `${JSON.stringify(config, null, 2)}\n`, 0o644);
  }
  let key = parseWitnessKey((await readSecret(paths.witnessKey)).toString('utf8'));
  const next = `${paths.witnessKey}.next`;
  if (config.witnessKey !== undefined && key.verifierKey !== config.witnessKey && (await exists(next))) {
    // A witness key rotation (node/federation/rotation.ts) stopped after config.json named the new key.
    const promoted = parseWitnessKey((await readSecret(next)).toString('utf8'));
    if (promoted.verifierKey === config.witnessKey) {
      await writeFileAtomic(paths.witnessKey, `${(await readSecret(next)).toString('utf8').trim()}\n`, 0o600);
      await rm(next, { force: true });
      key = promoted;
    }
  }
  if (config.witnessKey === undefined) {
    config.witnessKey = key.verifierKey;
    await writeFileAtomic(paths.config, `${JSON.stringify(config, null, 2)}\n`, 0o644);
  }
  if (key.signer.name !== witnessKeyName(config.org) || key.verifierKey !== config.witnessKey) {
    throw new NodeError('ERR_KEY_MISMATCH', 'keys/witness.key does not match config.json witnessKey');
  }
  return key;
}
