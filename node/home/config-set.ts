/**
 * `govfed config set`: changes one operator-settable value of config.json — jurisdiction, listen, api or
 * ingestWorkers (a number 0..16, or `auto`: the key removed, one worker per core from two cores on, at
 * most 4) — validated like `govfed init` and the daemon's config check validate it, written atomically, and the member card re-signed so that
 * it always says what the config says.
 *
 * The daemon reads config.json only at start, so a running node keeps the old value until it is
 * restarted; the result says whether a daemon is running (`restartRequired`). Writing while it runs is
 * safe: nothing else writes config.json after start.
 */
import { JURISDICTION_PATTERN } from '../../protocol/audit/fields.ts';
import { NodeError } from '../errors.ts';
import { checkConfig, homePaths, isJurisdictionCode, type NodeConfig, parseApiAddress, readConfig } from './config.ts';
import { writeFileAtomic } from './fs.ts';
import { type WrittenCard, writeMemberCard } from './member-card.ts';

/** The keys `config set` may change (a contract: CLI arguments). */
export const SETTABLE_KEYS = ['jurisdiction', 'listen', 'api', 'ingestWorkers'] as const;
export type SettableKey = (typeof SETTABLE_KEYS)[number];

/** A libp2p TCP listen multiaddr: /ip4|ip6|dns4|dns6|dns/HOST/tcp/PORT. */
const LISTEN_RE = /^\/(ip4|ip6|dns4|dns6|dns)\/[A-Za-z0-9.:_-]{1,200}\/tcp\/(0|[1-9][0-9]{0,4})$/;
/** ingestWorkers: 0..16 written as a plain decimal, or `auto` (the default: the key absent). */
const WORKERS_RE = /^(auto|[0-9]|1[0-6])$/;
export const AUTO_WORKERS = 'auto';

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
  }
}

/** The value of `key` in `config` as `config set` shows it. */
function shown(config: NodeConfig, key: SettableKey): string {
  if (key === 'ingestWorkers') return config.ingestWorkers === undefined ? AUTO_WORKERS : String(config.ingestWorkers);
  return config[key];
}

/** `config` with `key` set to the checked `value`. */
function withSetting(config: NodeConfig, key: SettableKey, value: string): Record<string, unknown> {
  if (key !== 'ingestWorkers') return { ...config, [key]: value };
  const { ingestWorkers: _old, ...rest } = config;
  return value === AUTO_WORKERS ? rest : { ...rest, ingestWorkers: Number(value) };
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
