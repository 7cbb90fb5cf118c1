/**
 * `govfed init`: creates a node's home directory — keys, config and the first admin token; with `store`,
 * config.json names the PostgreSQL database that will hold the audit log (the database is first used by
 * the daemon's start, which creates the log's schema: node/log/postgres/migrations.ts).
 *
 * DIR/member-card.json (public, signed by the peer key) is written just before config.json.
 *
 * Secrets (keys/log.key, keys/peer.key, keys/witness.key, admin.token, tokens.json) are written with mode 0600 inside
 * directories of mode 0700, atomically, and config.json last: a home without config.json is not a home,
 * so an init that crashed half-way can simply be run again. Nothing secret is returned or printed; the
 * caller learns where the admin token is (tokenFile), not the token.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { NodeError } from '../errors.ts';
import {
  DEFAULT_API,
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  DEFAULT_JURISDICTION,
  DEFAULT_LISTEN,
  homePaths,
  isJurisdictionCode,
  isOrg,
  JURISDICTION_HINT,
  type NodeConfig,
  ORG_PATTERN,
  parseApiAddress,
} from './config.ts';
import { exists, writeFileAtomic } from './fs.ts';
import { newLogKey, newPeerKey, newWitnessKey } from './keys.ts';
import { writeMemberCard } from './member-card.ts';
import { splitStoreUrl } from './store-config.ts';
import { generateToken, writeTokensFile } from './tokens.ts';

export interface InitOptions {
  dir: string;
  org: string;
  /** Default 'ZZ' (unknown). */
  jurisdiction?: string;
  /** HOST:PORT, default 127.0.0.1:7370. */
  api?: string;
  /** libp2p multiaddr, default /ip4/0.0.0.0/tcp/7371. */
  listen?: string;
  checkpointIntervalMs?: number;
  /**
   * Keep the audit log in this PostgreSQL database (`postgres://user[:password]@host:port/db`) instead of
   * the embedded LevelDB in DIR/data; a password in the URL goes to keys/store.password (mode 0600).
   */
  store?: string;
  /**
   * With `store`: several govfed processes of the org share that database (config.json store.shared;
   * further homes: `govfed ha add-process`, node/home/add-process.ts).
   */
  shared?: boolean;
}

/** What `govfed init` prints (and `--json` emits with exactly these keys). */
export interface InitResult {
  org: string;
  peerId: string;
  origin: string;
  verifierKey: string;
  /** The witness's cosignature verifier key (published in the charter; `federation invite --witness-key`). */
  witnessKey: string;
  api: string;
  /** Absolute path of the admin token file. */
  tokenFile: string;
  /** Absolute path of DIR/member-card.json: what an inviter needs (`federation invite --card`). */
  memberCard: string;
}

function checkOptions(opts: InitOptions): void {
  const fail = (msg: string) => new NodeError('ERR_VALIDATION', msg);
  if (typeof opts.dir !== 'string' || opts.dir === '') throw fail('a home directory is required');
  if (!isOrg(opts.org)) throw fail(`org must match ${ORG_PATTERN}`);
  if (opts.jurisdiction !== undefined && !isJurisdictionCode(opts.jurisdiction)) {
    throw fail(`jurisdiction must be ${JURISDICTION_HINT}`);
  }
  if (opts.api !== undefined) {
    try {
      parseApiAddress(opts.api);
    } catch {
      throw fail(`api must be HOST:PORT, got ${JSON.stringify(opts.api)}`);
    }
  }
  if (opts.listen !== undefined && !/^\/[\x21-\x7e]{1,255}$/.test(opts.listen)) {
    throw fail('listen must be a multiaddr such as /ip4/0.0.0.0/tcp/7371');
  }
  if (opts.store !== undefined) {
    if (typeof opts.store !== 'string' || opts.store.length > 2048) throw fail('store must be a postgres:// URL');
    splitStoreUrl(opts.store); // ERR_VALIDATION
  }
  if (opts.shared !== undefined && typeof opts.shared !== 'boolean') throw fail('shared must be true or false');
  if (opts.shared === true && opts.store === undefined) {
    throw fail('shared needs a PostgreSQL store: the embedded LevelDB serves one process');
  }
  const i = opts.checkpointIntervalMs;
  if (i !== undefined && (!Number.isInteger(i) || i < 10 || i > 3_600_000)) {
    throw fail('checkpointIntervalMs must be an integer from 10 to 3600000');
  }
}

/** Creates a new home at opts.dir. ERR_HOME_EXISTS when it already has a config.json. */
export async function initHome(opts: InitOptions): Promise<InitResult> {
  checkOptions(opts);
  const dir = resolve(opts.dir);
  const paths = homePaths(dir);
  if (await exists(paths.config)) throw new NodeError('ERR_HOME_EXISTS', `${dir} is already a govfed home`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await mkdir(paths.keys, { recursive: true, mode: 0o700 });

  const logKey = newLogKey(opts.org);
  const peerKey = await newPeerKey();
  const witnessKey = newWitnessKey(opts.org);
  const admin = generateToken('admin');
  await writeFileAtomic(paths.logKey, `${logKey.signerKey}\n`, 0o600);
  await writeFileAtomic(paths.peerKey, peerKey.protobuf, 0o600);
  await writeFileAtomic(paths.witnessKey, `${witnessKey.signerKey}\n`, 0o600);
  await writeTokensFile(paths.tokens, { tokens: [admin.entry] });
  await writeFileAtomic(paths.adminToken, `${admin.token.token}\n`, 0o600);
  const store = opts.store === undefined ? undefined : splitStoreUrl(opts.store);
  if (store?.password !== undefined) await writeFileAtomic(paths.storePassword, `${store.password}\n`, 0o600);

  const config: NodeConfig = {
    version: 1,
    org: opts.org,
    jurisdiction: opts.jurisdiction ?? DEFAULT_JURISDICTION,
    origin: logKey.origin,
    api: opts.api ?? DEFAULT_API,
    listen: opts.listen ?? DEFAULT_LISTEN,
    checkpointIntervalMs: opts.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
    peerId: peerKey.peerId,
    verifierKey: logKey.verifierKey,
    witnessKey: witnessKey.verifierKey,
    ...(store === undefined
      ? {}
      : { store: { driver: 'postgres', url: store.url, ...(opts.shared === true ? { shared: true } : {}) } }),
  };
  // The card before config.json, which stays last: a home without config.json is not a home.
  const card = await writeMemberCard(dir, config);
  await writeFileAtomic(paths.config, `${JSON.stringify(config, null, 2)}\n`, 0o644);
  return {
    org: config.org,
    peerId: config.peerId,
    origin: config.origin,
    verifierKey: config.verifierKey,
    witnessKey: witnessKey.verifierKey,
    api: config.api,
    tokenFile: paths.adminToken,
    memberCard: card.path,
  };
}
