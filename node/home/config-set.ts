/**
 * `govfed config set`: changes one operator-settable value of config.json — jurisdiction, listen, api,
 * ingestWorkers (a number 0..16, or `auto`: the key removed, one worker per core from two cores on, at
 * most 4), and for a node whose log is in PostgreSQL store.shared (true: several processes of the org on
 * that database, `govfed ha add-process`; false: the key removed) and store.leaseMs (the writer lease,
 * 300..600000), the per-client rate limits http.rateLimit.perIp, .perToken and .ingestPerToken (requests
 * per minute, 0: off) and http.trustProxy (a comma-separated list of proxies, or `none`: the key removed)
 * — validated like `govfed init` and the daemon's config check validate it, written
 * atomically, and the member card re-signed so that it always says what the config says. The nested keys
 * are dotted paths into config.json; the store.* keys are refused for the embedded LevelDB (no `store`).
 *
 * The daemon reads config.json only at start, so a running node keeps the old value until it is
 * restarted; the result says whether a daemon is running (`restartRequired`). Writing while it runs is
 * safe: nothing else writes config.json after start.
 */
import { JURISDICTION_PATTERN } from '../../protocol/audit/fields.ts';
import { NodeError } from '../errors.ts';
import { DEFAULT_LEASE_MS } from '../log/postgres/lease.ts';
import { checkConfig, homePaths, isJurisdictionCode, type NodeConfig, parseApiAddress, readConfig } from './config.ts';
import { writeFileAtomic } from './fs.ts';
import { type WrittenCard, writeMemberCard } from './member-card.ts';
import { DEFAULT_RATE_LIMITS, isRateLimit, MAX_RATE_LIMIT, type RateLimits } from './rate-limit-config.ts';
import { SETTABLE_KEYS, type SettableKey } from './settable-keys.ts';
import { isTrustedProxySpec, MAX_TRUSTED_PROXIES, TRUST_PROXY_NAMES } from './trust-proxy.ts';

export { SETTABLE_KEYS, type SettableKey } from './settable-keys.ts';

/** A libp2p TCP listen multiaddr: /ip4|ip6|dns4|dns6|dns/HOST/tcp/PORT. */
const LISTEN_RE = /^\/(ip4|ip6|dns4|dns6|dns)\/[A-Za-z0-9.:_-]{1,200}\/tcp\/(0|[1-9][0-9]{0,4})$/;
/** ingestWorkers: 0..16 written as a plain decimal, or `auto` (the default: the key absent). */
const WORKERS_RE = /^(auto|[0-9]|1[0-6])$/;
export const AUTO_WORKERS = 'auto';
/** store.leaseMs: a plain decimal (the range 300..600000 is checked as a number). */
const LEASE_RE = /^[1-9][0-9]{2,5}$/;
/** A rate limit: a plain decimal (the range 0..MAX_RATE_LIMIT is checked as a number). */
const RATE_RE = /^(0|[1-9][0-9]{0,7})$/;
/** http.trustProxy's value for "no trusted proxy" (the key removed). */
export const NO_PROXY = 'none';

/** The http.rateLimit.* keys and the field each sets. */
const RATE_KEYS: Readonly<Record<string, keyof RateLimits>> = {
  'http.rateLimit.perIp': 'perIp',
  'http.rateLimit.perToken': 'perToken',
  'http.rateLimit.ingestPerToken': 'ingestPerToken',
};

export function isSettableKey(k: unknown): k is SettableKey {
  return typeof k === 'string' && (SETTABLE_KEYS as readonly string[]).includes(k);
}

/** Checks `value` for `key`; throws ERR_VALIDATION naming the key, the value and what is expected. */
export function checkSetting(key: SettableKey, value: string): void {
  const fail = (expected: string) =>
    new NodeError('ERR_VALIDATION', `${key}: expected ${expected}, got ${JSON.stringify(value)}`);
  switch (key) {
    case 'jurisdiction':
      if (!isJurisdictionCode(value)) throw fail(`a code like EU, DE or US-CA (${JURISDICTION_PATTERN})`);
      return;
    case 'listen': {
      const m = LISTEN_RE.exec(value);
      if (m === null || Number(m[2]) > 65535) throw fail('a TCP multiaddr such as /ip4/203.0.113.5/tcp/7371');
      return;
    }
    case 'api':
      try {
        parseApiAddress(value);
      } catch {
        throw fail('HOST:PORT such as 127.0.0.1:7370 ([IPv6]:PORT; port 0 for any free port)');
      }
      return;
    case 'ingestWorkers':
      if (!WORKERS_RE.test(value)) throw fail(`an integer from 0 to 16, or ${AUTO_WORKERS} (one per core, at most 4)`);
      return;
    case 'store.shared':
      if (value !== 'true' && value !== 'false') throw fail('true or false');
      return;
    case 'store.leaseMs':
      if (!LEASE_RE.test(value) || Number(value) < 300 || Number(value) > 600_000) {
        throw fail('an integer from 300 to 600000 (milliseconds)');
      }
      return;
    case 'http.rateLimit.perIp':
    case 'http.rateLimit.perToken':
    case 'http.rateLimit.ingestPerToken':
      if (!RATE_RE.test(value) || !isRateLimit(Number(value))) {
        throw fail(`an integer from 0 (off) to ${MAX_RATE_LIMIT} (requests per minute)`);
      }
      return;
    case 'http.trustProxy': {
      const list = value.split(',');
      if (value !== NO_PROXY && (list.length > MAX_TRUSTED_PROXIES || !list.every(isTrustedProxySpec))) {
        throw fail(
          `${NO_PROXY}, or a comma-separated list of IP addresses, ADDRESS/PREFIX ranges or ${TRUST_PROXY_NAMES.join(', ')}`,
        );
      }
      return;
    }
  }
}

/** The value of `key` in `config` as `config set` shows it. */
function shown(config: NodeConfig, key: SettableKey): string {
  switch (key) {
    case 'ingestWorkers':
      return config.ingestWorkers === undefined ? AUTO_WORKERS : String(config.ingestWorkers);
    case 'store.shared':
      return String(config.store?.shared ?? false);
    case 'store.leaseMs':
      return String(config.store?.leaseMs ?? DEFAULT_LEASE_MS);
    case 'http.rateLimit.perIp':
    case 'http.rateLimit.perToken':
    case 'http.rateLimit.ingestPerToken': {
      const field = RATE_KEYS[key] as keyof RateLimits;
      return String(config.http?.rateLimit?.[field] ?? DEFAULT_RATE_LIMITS[field]);
    }
    case 'http.trustProxy':
      return config.http?.trustProxy?.join(',') ?? NO_PROXY;
    default:
      return config[key];
  }
}

/** `config` with `key` set to the checked `value`. */
function withSetting(config: NodeConfig, key: SettableKey, value: string): Record<string, unknown> {
  switch (key) {
    case 'ingestWorkers': {
      const { ingestWorkers: _old, ...rest } = config;
      return value === AUTO_WORKERS ? rest : { ...rest, ingestWorkers: Number(value) };
    }
    case 'store.shared': {
      const { shared: _old, ...store } = storeOf(config, key);
      return { ...config, store: value === 'true' ? { ...store, shared: true } : store };
    }
    case 'store.leaseMs':
      return { ...config, store: { ...storeOf(config, key), leaseMs: Number(value) } };
    case 'http.rateLimit.perIp':
    case 'http.rateLimit.perToken':
    case 'http.rateLimit.ingestPerToken': {
      const rateLimit = { ...config.http?.rateLimit, [RATE_KEYS[key] as keyof RateLimits]: Number(value) };
      return { ...config, http: { ...config.http, rateLimit } };
    }
    case 'http.trustProxy': {
      const { trustProxy: _old, ...http } = config.http ?? {};
      return { ...config, http: value === NO_PROXY ? http : { ...http, trustProxy: value.split(',') } };
    }
    default:
      return { ...config, [key]: value };
  }
}

/** config.json `store`; ERR_VALIDATION for a node on the embedded LevelDB, which has no store.* keys. */
function storeOf(config: NodeConfig, key: SettableKey): NonNullable<NodeConfig['store']> {
  if (config.store !== undefined) return config.store;
  throw new NodeError(
    'ERR_VALIDATION',
    `${key}: this node's log is in the embedded LevelDB (DIR/data), which one process alone can use; move it ` +
      'into PostgreSQL first (govfed store migrate --home DIR --from leveldb --to postgres://…)',
  );
}

export interface SetResult {
  key: SettableKey;
  previous: string;
  value: string;
  /** False when the value was already set (nothing written). */
  changed: boolean;
  config: NodeConfig;
  card: WrittenCard;
}

/** Sets `key` to `value` in DIR/config.json and re-writes DIR/member-card.json. */
export async function setConfigValue(dir: string, key: string, value: string): Promise<SetResult> {
  if (!isSettableKey(key)) {
    throw new NodeError(
      'ERR_VALIDATION',
      `cannot set ${JSON.stringify(key)}: settable keys are ${SETTABLE_KEYS.join(', ')}`,
    );
  }
  checkSetting(key, value);
  const config = await readConfig(dir);
  const previous = shown(config, key);
  const next = checkConfig(withSetting(config, key, value));
  const changed = previous !== value;
  if (changed) await writeFileAtomic(homePaths(dir).config, `${JSON.stringify(next, null, 2)}\n`, 0o644);
  const card = await writeMemberCard(dir, next);
  return { key, previous, value, changed, config: next, card };
}
