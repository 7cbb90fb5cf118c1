/**
 * The node's configuration (DIR/config.json) and the layout of the home directory.
 *
 * config.json holds nothing secret: the org, its jurisdiction, the log origin and verifier key, the peer
 * id, and the addresses to serve on. It is read at start and checked strictly (unknown fields rejected),
 * because a typo in a hand-edited config should stop the daemon rather than be ignored.
 */

import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { JURISDICTION_PATTERN } from '../../protocol/audit/fields.ts';
import { NodeError } from '../errors.ts';
import { checkFreshnessConfig, type FreshnessConfig } from './freshness-config.ts';
import { checkHttpLimits, type HttpConfig } from './http-limits.ts';
import { checkStoreConfig, type StoreConfig } from './store-config.ts';

export const CONFIG_VERSION = 1;
export const DEFAULT_API = '127.0.0.1:7370';
export const DEFAULT_LISTEN = '/ip4/0.0.0.0/tcp/7371';
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 1000;
/** Jurisdiction when `init` is not given one: ISO 3166 user-assigned "unknown". */
export const DEFAULT_JURISDICTION = 'ZZ';

/** An org name: lowercase DNS-label-like, 1..63 characters. */
export const ORG_PATTERN = '^[a-z0-9][a-z0-9.-]{0,62}$';
const ORG_RE = new RegExp(ORG_PATTERN);
const JURISDICTION_RE = new RegExp(JURISDICTION_PATTERN);
export const JURISDICTION_HINT = 'a code like EU, DE or US-CA (2..16 of A-Z 0-9 -, starting with a letter)';

export interface NodeConfig {
  version: 1;
  org: string;
  jurisdiction: string;
  /** The log origin and note key name: `govfed/<org>/<8 hex of SHA-256(log public key)>`. */
  origin: string;
  /** HOST:PORT the HTTP API listens on (port 0: any free port, written to DIR/api.addr). */
  api: string;
  /** libp2p listen multiaddr (used by later issues). */
  listen: string;
  checkpointIntervalMs: number;
  peerId: string;
  /** C2SP verifier key of the log (`<origin>+<key id>+<base64>`). */
  verifierKey: string;
  /**
   * C2SP cosignature verifier key of this node's witness (`govfed/<org>/witness+<key id>+<base64(0x04||key)>`),
   * published in the charter; its signer key is keys/witness.key. Absent in homes made before witnessing.
   */
  witnessKey?: string;
  /**
   * The logs this node kept under earlier log keys, oldest first (`govfed keys rotate --log`): read-only
   * under DIR/retired/<key id>/ (retiredLogPaths), still served and provable. Absent when none.
   */
  retiredLogs?: RetiredLogConfig[];
  /**
   * Limits of the HTTP server against slow and greedy clients (node/home/http-limits.ts), per-client rate
   * limits (rate-limit-config.ts) and trusted proxies (trust-proxy.ts); defaults when absent.
   */
  http?: HttpConfig;
  /** Charter freshness timing (node/home/freshness-config.ts); defaults when absent. */
  freshness?: Partial<FreshnessConfig>;
  /**
   * Worker threads that parse, check and seal POST /v1/decisions (node/decisions/pool.ts), 0..16; 0: on
   * the main thread. Absent: defaultIngestWorkers() — one per core when there are two or more, at most 4.
   */
  ingestWorkers?: number;
  /**
   * Where the audit log is stored (node/home/store-config.ts): absent for the embedded LevelDB in DIR/data,
   * or a PostgreSQL database.
   */
  store?: StoreConfig;
}

/** Ingest workers when config.json does not say: one per core from two cores on, at most 4; else none. */
export function defaultIngestWorkers(cores = availableParallelism()): number {
  return cores >= 2 ? Math.min(cores, 4) : 0;
}

/** A retired log: its origin and C2SP verifier key (named by the origin). */
export interface RetiredLogConfig {
  origin: string;
  verifierKey: string;
}

/** Where a retired log lives: DIR/retired/<the origin's key id>/{data, high-water.json}. */
export function retiredLogPaths(dir: string, origin: string): { dir: string; data: string; highWater: string } {
  const at = join(dir, 'retired', origin.slice(origin.lastIndexOf('/') + 1));
  return { dir: at, data: join(at, 'data'), highWater: join(at, 'high-water.json') };
}

/** Paths of everything under the home directory DIR. */
export interface HomePaths {
  dir: string;
  config: string;
  keys: string;
  logKey: string;
  peerKey: string;
  /** The witness's cosignature signer key (C2SP `PRIVATE+KEY+…` string, type 0x04). */
  witnessKey: string;
  /** The witness's own LevelDB (node/witness). */
  witness: string;
  tokens: string;
  adminToken: string;
  data: string;
  /** The largest tree size and root the log ever signed, outside LevelDB (node/log/high-water.ts). */
  highWater: string;
  pid: string;
  apiAddr: string;
  /** The node's signed member card (public; node/home/member-card.ts). */
  memberCard: string;
  /** The password of the PostgreSQL store, when config.store names one (node/home/store-config.ts). */
  storePassword: string;
}

export function homePaths(dir: string): HomePaths {
  return {
    dir,
    config: join(dir, 'config.json'),
    keys: join(dir, 'keys'),
    logKey: join(dir, 'keys', 'log.key'),
    peerKey: join(dir, 'keys', 'peer.key'),
    witnessKey: join(dir, 'keys', 'witness.key'),
    witness: join(dir, 'witness'),
    tokens: join(dir, 'tokens.json'),
    adminToken: join(dir, 'admin.token'),
    data: join(dir, 'data'),
    highWater: join(dir, 'high-water.json'),
    pid: join(dir, 'govfed.pid'),
    apiAddr: join(dir, 'api.addr'),
    memberCard: join(dir, 'member-card.json'),
    storePassword: join(dir, 'keys', 'store.password'),
  };
}

export function isOrg(v: unknown): v is string {
  return typeof v === 'string' && ORG_RE.test(v);
}

export function isJurisdictionCode(v: unknown): v is string {
  return typeof v === 'string' && JURISDICTION_RE.test(v);
}

export interface ApiAddress {
  host: string;
  port: number;
}

/** Parses `HOST:PORT` or `[IPv6]:PORT` (port 0..65535). Throws ERR_INVALID_CONFIG. */
export function parseApiAddress(s: unknown): ApiAddress {
  const bad = () => new NodeError('ERR_INVALID_CONFIG', `api: expected HOST:PORT, got ${JSON.stringify(s)}`);
  if (typeof s !== 'string' || s.length > 300) throw bad();
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(0|[1-9][0-9]{0,4})$/.exec(s);
  if (!m) throw bad();
  const port = Number(m[3]);
  if (port > 65535) throw bad();
  return { host: (m[1] ?? m[2]) as string, port };
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatApiAddress(a: ApiAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

const CONFIG_FIELDS = [
  'version',
  'org',
  'jurisdiction',
  'origin',
  'api',
  'listen',
  'checkpointIntervalMs',
  'peerId',
  'verifierKey',
  'witnessKey',
  'retiredLogs',
  'http',
  'freshness',
  'ingestWorkers',
  'store',
] as const;

/** Checks a parsed config.json (hand-editable, so checked field by field). Throws ERR_INVALID_CONFIG. */
export function checkConfig(value: unknown): NodeConfig {
  const fail = (msg: string) => new NodeError('ERR_INVALID_CONFIG', `config.json: ${msg}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('expected a JSON object');
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) {
    if (!(CONFIG_FIELDS as readonly string[]).includes(k)) throw fail(`unknown field "${k}"`);
  }
  if (v.version !== CONFIG_VERSION) throw fail(`unsupported version ${JSON.stringify(v.version)}`);
  if (!isOrg(v.org)) throw fail(`org must match ${ORG_PATTERN}`);
  if (!isJurisdictionCode(v.jurisdiction)) throw fail(`jurisdiction must be ${JURISDICTION_HINT}`);
  if (typeof v.origin !== 'string' || !v.origin.startsWith(`govfed/${v.org}/`)) {
    throw fail('origin must be govfed/<org>/<key id>');
  }
  parseApiAddress(v.api);
  if (typeof v.listen !== 'string' || !/^\/[\x21-\x7e]{1,255}$/.test(v.listen))
    throw fail('listen must be a multiaddr');
  const interval = v.checkpointIntervalMs;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 10 || interval > 3_600_000) {
    throw fail('checkpointIntervalMs must be an integer from 10 to 3600000');
  }
  if (typeof v.peerId !== 'string' || !/^[1-9A-HJ-NP-Za-km-z]{40,60}$/.test(v.peerId)) {
    throw fail('peerId must be a base58 libp2p peer id');
  }
  if (typeof v.verifierKey !== 'string' || !v.verifierKey.startsWith(`${v.origin}+`)) {
    throw fail('verifierKey must be the C2SP verifier key named by origin');
  }
  if (v.witnessKey !== undefined && (typeof v.witnessKey !== 'string' || !/^[\x21-\x7e]{1,512}$/.test(v.witnessKey))) {
    throw fail('witnessKey must be a C2SP verifier key');
  }
  checkRetiredLogs(v.retiredLogs, v.org, v.origin, fail);
  checkHttpLimits(v.http);
  checkFreshnessConfig(v.freshness);
  const w = v.ingestWorkers;
  if (w !== undefined && (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 16)) {
    throw fail('ingestWorkers must be an integer from 0 to 16');
  }
  checkStoreConfig(v.store, fail);
  return v as unknown as NodeConfig;
}

function checkRetiredLogs(v: unknown, org: string, origin: string, fail: (msg: string) => Error): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.length < 1 || v.length > 16) throw fail('retiredLogs must be a list of 1..16 logs');
  const seen = new Set([origin]);
  for (const [i, r] of v.entries()) {
    const what = `retiredLogs[${i}]`;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw fail(`${what} must be an object`);
    const { origin: o, verifierKey: k, ...rest } = r as Record<string, unknown>;
    if (Object.keys(rest).length > 0) throw fail(`${what}: unknown field "${Object.keys(rest)[0]}"`);
    if (
      typeof o !== 'string' ||
      !/^govfed\/[a-z0-9.-]{1,63}\/[0-9a-f]{8}$/.test(o) ||
      !o.startsWith(`govfed/${org}/`)
    ) {
      throw fail(`${what}.origin must be govfed/<org>/<key id>`);
    }
    if (seen.has(o)) throw fail(`${what}.origin ${o} is listed twice (or is the current origin)`);
    seen.add(o);
    if (typeof k !== 'string' || !k.startsWith(`${o}+`) || !/^[\x21-\x7e]{1,512}$/.test(k)) {
      throw fail(`${what}.verifierKey must be the C2SP verifier key named by its origin`);
    }
  }
}

/** Reads and checks DIR/config.json. ERR_HOME_NOT_FOUND when there is none. */
export async function readConfig(dir: string): Promise<NodeConfig> {
  const file = homePaths(dir).config;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NodeError('ERR_HOME_NOT_FOUND', `no govfed home at ${dir} (run govfed init)`, { cause });
    }
    if ((cause as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new NodeError(
        'ERR_HOME_NOT_FOUND',
        `${dir} is not a directory: --home (or GOVFED_HOME) must name a node home directory (made by govfed init)`,
        { cause },
      );
    }
    throw cause;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new NodeError('ERR_INVALID_CONFIG', `${file}: invalid JSON`, { cause });
  }
  return checkConfig(value);
}

/**
 * The API address clients should use: DIR/api.addr while a daemon runs (it holds the real port when
 * config.api asks for port 0), else config.api.
 */
export async function readApiAddress(dir: string): Promise<string> {
  try {
    const text = (await readFile(homePaths(dir).apiAddr, 'utf8')).trim();
    parseApiAddress(text);
    return text;
  } catch {
    return (await readConfig(dir)).api;
  }
}
