/**
 * The org's current public keys, as its shared database records them (node_state 'ha/keys'), and the
 * comparison of a home's keys with them. Pure: no I/O (keys-guard.ts reads and writes the record).
 *
 * Every process of an org whose node runs highly available (several `govfed start` processes on one
 * PostgreSQL database, store.shared) has its own home with its own copy of the org's keys. A key
 * rotation (`govfed keys rotate --peer | --witness`) writes the new key into the home of the process that
 * rotated it only; the other homes keep the old keys until they are made again with `govfed ha
 * add-process`. As the leader, a process with the old keys would run libp2p under a peer id the charter
 * no longer seats, or cosign with a witness key the charter no longer lists. So the database records the
 * keys the org uses now — written by the lease holder: at its first start when there is no record yet
 * (a new shared home, or one made before this record existed), and by a key rotation before the new key
 * goes into the rotating home — and every process compares its home with it (ERR_KEYS_OUTDATED).
 *
 * The record (JSON, at most MAX_RECORD_BYTES; read from the database, so checked strictly):
 *   {"v":1, "org", "origin", "verifierKey" (the log's), "peerId", "witnessKey",
 *    "by": {"holder", "home"} (the process that wrote it: its lease holder id, its home's path), "at"}
 */
import { NodeError } from '../errors.ts';

export const ORG_KEYS_VERSION = 1;
/** The largest record read (a few hundred bytes in practice). */
export const MAX_RECORD_BYTES = 16 * 1024;
const MAX_FIELD = 1024;

/** The public keys that make a home the org's node: what the record holds and a home is compared on. */
export interface OrgKeys {
  org: string;
  origin: string;
  verifierKey: string;
  peerId: string;
  witnessKey: string;
}

export const KEY_FIELDS = ['org', 'origin', 'verifierKey', 'peerId', 'witnessKey'] as const;

/** What each field is called in messages. */
const FIELD_NAMES: Record<keyof OrgKeys, string> = {
  org: 'org',
  origin: 'log origin',
  verifierKey: 'log key',
  peerId: 'peer id',
  witnessKey: 'witness key',
};

export interface OrgKeysRecord extends OrgKeys {
  v: 1;
  /** The process that wrote the record: its writer-lease holder id (host:pid:random) and its home. */
  by: { holder: string; home: string };
  /** When it was written (ISO 8601). */
  at: string;
}

/** A home's public keys (its loaded config.json, whose keys loadHome checked against the key files). */
export function keysOfConfig(config: {
  org: string;
  origin: string;
  verifierKey: string;
  peerId: string;
  witnessKey?: string;
}): OrgKeys {
  return {
    org: config.org,
    origin: config.origin,
    verifierKey: config.verifierKey,
    peerId: config.peerId,
    witnessKey: config.witnessKey ?? '',
  };
}

export function encodeOrgKeys(r: OrgKeysRecord): Uint8Array {
  const { v, org, origin, verifierKey, peerId, witnessKey, by, at } = r;
  return new TextEncoder().encode(JSON.stringify({ v, org, origin, verifierKey, peerId, witnessKey, by, at }));
}

/** Parses a stored record; ERR_INVALID_CONFIG (naming `where`) when it is not one. */
export function parseOrgKeys(body: Uint8Array, where: string): OrgKeysRecord {
  const bad = (why: string) =>
    new NodeError('ERR_INVALID_CONFIG', `the org's recorded keys (${where}) are not a valid record: ${why}`);
  if (body.byteLength > MAX_RECORD_BYTES) throw bad(`${body.byteLength} bytes, more than ${MAX_RECORD_BYTES}`);
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw bad('not JSON');
  }
  if (!isObject(v)) throw bad('not an object');
  if (v.v !== ORG_KEYS_VERSION) throw bad(`version ${JSON.stringify(v.v)}, this govfed reads ${ORG_KEYS_VERSION}`);
  const allowed = new Set<string>(['v', ...KEY_FIELDS, 'by', 'at']);
  for (const k of Object.keys(v)) if (!allowed.has(k)) throw bad(`unknown field ${JSON.stringify(k)}`);
  const text = (o: Record<string, unknown>, k: string): string => {
    const s = o[k];
    if (typeof s !== 'string' || s === '' || s.length > MAX_FIELD)
      throw bad(`${k} must be a string of 1..${MAX_FIELD}`);
    return s;
  };
  const by = v.by;
  if (!isObject(by) || Object.keys(by).some((k) => k !== 'holder' && k !== 'home')) {
    throw bad('by must be {holder, home}');
  }
  const at = text(v, 'at');
  if (Number.isNaN(Date.parse(at))) throw bad('at is not a time');
  return {
    v: ORG_KEYS_VERSION,
    org: text(v, 'org'),
    origin: text(v, 'origin'),
    verifierKey: text(v, 'verifierKey'),
    peerId: text(v, 'peerId'),
    witnessKey: text(v, 'witnessKey'),
    by: { holder: text(by, 'holder'), home: text(by, 'home') },
    at,
  };
}

/** One key a home and the record disagree on. */
export interface KeyDifference {
  field: keyof OrgKeys;
  home: string;
  recorded: string;
}

/** Where `home` differs from `recorded`, in KEY_FIELDS order (empty: the home holds the org's current keys). */
export function keyDifferences(home: OrgKeys, recorded: OrgKeys): KeyDifference[] {
  return KEY_FIELDS.filter((f) => home[f] !== recorded[f]).map((f) => ({
    field: f,
    home: home[f],
    recorded: recorded[f],
  }));
}

/** What the message tells about this home: where it is and the addresses its remade copy should keep. */
export interface OutdatedHome {
  dir: string;
  api: string;
  listen: string;
}

/**
 * ERR_KEYS_OUTDATED: `home`'s keys are not the ones `record` names (`diffs`, non-empty). The message
 * says what differs, who recorded the current keys, and the fix: make this home again from a home
 * that holds them (`govfed ha add-process`, which makes NEW itself: the old home is moved aside first).
 */
export function keysOutdated(home: OutdatedHome, record: OrgKeysRecord, diffs: KeyDifference[], where: string) {
  const what = diffs.map((d) => `${FIELD_NAMES[d.field]} ${d.home} here, ${d.recorded} recorded`).join('; ');
  return new NodeError(
    'ERR_KEYS_OUTDATED',
    `this home's keys are not the org's current keys (${where}, recorded at ${record.at} by the process ` +
      `${record.by.holder}, home ${record.by.home}): ${what}. A key rotation on another process of the org ` +
      'made them outdated (or this home belongs to another node); this process does not run with them (it ' +
      'stops before it leads; nothing was written with them). Make this home again from the home that holds the current ' +
      `keys: stop this process, move ${home.dir} aside, run 'govfed ha add-process --from ${record.by.home} ` +
      `--home ${home.dir} --api ${home.api} --listen ${home.listen}' on the machine of that home (copy the ` +
      'new home here if that is another machine), then start this process again',
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
