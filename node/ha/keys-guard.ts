/**
 * The check that keeps a process whose home holds outdated keys from running the org's node (org-keys.ts
 * explains the record). For a shared log (several processes of one org on one PostgreSQL database):
 *
 *   check   before the log opens, in any role: the record is read on a connection of its own; a home
 *           that differs from it is refused (ERR_KEYS_OUTDATED, event `ha:keys-outdated`) before the
 *           process takes the lease, signs, or serves anything. No record yet: go on (the leader writes it).
 *   lead    once the process holds the writer lease (the leader, after the log and the state): in ONE
 *           fenced transaction, the record is written when there is none (a new shared home, or one from
 *           before this record: a migration-free upgrade), else compared again — authoritative, since only
 *           the lease holder writes it and it holds the lease now (a rotation may have happened between
 *           `check` and the lease) — and the start fails on a difference (the log then releases the lease);
 *   watch   while the process follows: every quarter lease (at least 250 ms) the record is read; when a
 *           rotation on the leader changed it, the process reports ERR_KEYS_OUTDATED (the event) and stops
 *           (`onOutdated`, the daemon's onFatal: `govfed start` exits 4). `mayLead()` is the same check,
 *           asked by the follower right before it takes a free lease (node/log follower.ts): with old keys
 *           it does not take it.
 *
 * A key rotation writes the record first, through `recordKeys` (node/federation/rotation.ts), then the
 * rotating home's files; a crash in between is finished by keys-recovery.ts at that home's next start.
 */
import { isGovfedError } from '../../protocol/errors.ts';
import type { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import type { NodeConfig } from '../home/config.ts';
import { PgStateDb } from '../home/pg-state.ts';
import type { HomeState } from '../home/shared-state.ts';
import type { Component, Startable } from '../lifecycle.ts';
import { DEFAULT_LEASE_MS } from '../log/postgres/lease.ts';
import type { LogStoreSpec, PostgresStoreSpec } from '../log/store.ts';
import {
  encodeOrgKeys,
  keyDifferences,
  keysOfConfig,
  keysOutdated,
  type OrgKeys,
  type OrgKeysRecord,
  parseOrgKeys,
} from './org-keys.ts';
import { onlyWhen } from './roles.ts';

const NAME = 'ha/keys';

export interface KeysGuardOptions {
  home: {
    dir: string;
    config: Pick<NodeConfig, 'org' | 'origin' | 'verifierKey' | 'peerId' | 'witnessKey' | 'api' | 'listen'>;
  };
  store: PostgresStoreSpec;
  /** The daemon's state database (fenced by the log's writer lease). */
  db: PgStateDb;
  events: EventSink;
  now: () => Date;
  /** A follower found the record changed: the process must stop with `err`. */
  onOutdated: (err: NodeError) => void;
}

export class KeysGuard {
  readonly #o: KeysGuardOptions;
  readonly #keys: OrgKeys;
  #timer: NodeJS.Timeout | undefined;
  #reported = false;

  constructor(o: KeysGuardOptions) {
    this.#o = o;
    this.#keys = keysOfConfig(o.home.config);
  }

  /** The guard's place in the daemon's list: `check` before the log, the rest after the state. */
  components(leading: () => boolean, following: () => boolean): { before: Component; after: Component[] } {
    const lead: Startable = { start: () => this.#lead(), stop: () => {} };
    const watch: Startable = { start: () => this.#watch(), stop: () => clearInterval(this.#timer) };
    return {
      before: { name: 'keys-check', service: { start: () => this.#check(), stop: () => {} } },
      after: [
        { name: 'keys-lead', service: onlyWhen(leading, lead) },
        { name: 'keys-watch', service: onlyWhen(following, watch) },
      ],
    };
  }

  /** True when this home may take the lease: its keys are the recorded ones (or none are recorded). */
  async mayLead(): Promise<boolean> {
    try {
      const err = await this.#compare(this.#o.db);
      if (err === undefined) return true;
      this.#report(err);
    } catch (err) {
      // The database away: not now (the log's poll reports it). A record that does not parse: refused.
      if (isGovfedError(err) && err.code !== 'ERR_STORE_UNAVAILABLE') this.#report(err as NodeError);
    }
    return false;
  }

  /** ERR_KEYS_OUTDATED when the record differs from this home's keys; undefined when it agrees or is absent. */
  async #compare(db: PgStateDb): Promise<NodeError | undefined> {
    const stored = await db.read(NAME);
    return stored === undefined ? undefined : this.#differs(stored.body, db);
  }

  #differs(body: Uint8Array, db: PgStateDb): NodeError | undefined {
    const where = db.backend(NAME).where;
    const record = parseOrgKeys(body, where);
    const diffs = keyDifferences(this.#keys, record);
    if (diffs.length === 0) return undefined;
    const { api, listen } = this.#o.home.config;
    return keysOutdated({ dir: this.#o.home.dir, api, listen }, record, diffs, where);
  }

  async #check(): Promise<void> {
    const db = PgStateDb.open(this.#o.store, () => undefined); // reads only
    try {
      await db.migrate(); // a new database: the schema and an empty node_state
      const err = await this.#compare(db);
      if (err !== undefined) throw this.#said(err);
    } finally {
      await db.close();
    }
  }

  async #lead(): Promise<void> {
    const db = this.#o.db;
    const holder = (await db.holder()) ?? '';
    const out = await db.update<NodeError | 'recorded' | undefined>(NAME, (cur) => {
      if (cur !== undefined) return { result: this.#differs(cur, db) };
      const record: OrgKeysRecord = {
        v: 1,
        ...this.#keys,
        by: { holder, home: this.#o.home.dir },
        at: this.#o.now().toISOString(),
      };
      return { body: encodeOrgKeys(record), result: 'recorded' };
    });
    if (out === 'recorded') this.#o.events('ha:keys-recorded', { peerId: this.#keys.peerId, home: this.#o.home.dir });
    else if (out !== undefined) throw this.#said(out);
  }

  #watch(): void {
    const every = Math.max(250, Math.floor((this.#o.store.leaseMs ?? DEFAULT_LEASE_MS) / 4));
    this.#timer = setInterval(() => void this.mayLead(), every);
    this.#timer.unref();
  }

  /** Says `err` once as an event and hands it to the daemon (the process stops). */
  #report(err: NodeError): void {
    if (this.#reported) return;
    clearInterval(this.#timer);
    this.#o.onOutdated(this.#said(err));
  }

  #said(err: NodeError): NodeError {
    this.#reported = true;
    this.#o.events('ha:keys-outdated', { code: err.code, error: err.message });
    return err;
  }
}

/** The guard of `home`'s daemon when its log is shared (PostgreSQL, store.shared); else undefined. */
export function keysGuardOf(
  home: KeysGuardOptions['home'] & { store: LogStoreSpec },
  state: Pick<HomeState, 'db'>,
  o: Pick<KeysGuardOptions, 'events' | 'now' | 'onOutdated'>,
): KeysGuard | undefined {
  const store = home.store;
  if (store.driver !== 'postgres' || store.shared !== true || state.db === undefined) return undefined;
  return new KeysGuard({ ...o, home, store, db: state.db });
}

/**
 * Records `keys` as the org's current keys (a key rotation, before the rotating home's files change),
 * fenced by the writer lease: a process that lost it writes nothing (ERR_LEASE_LOST) and the rotation's
 * promotion waits for the next charter notice.
 */
export async function recordKeys(db: PgStateDb, keys: OrgKeys, home: string, now: Date): Promise<void> {
  const holder = (await db.holder()) ?? '';
  await db.write(NAME, encodeOrgKeys({ v: 1, ...keys, by: { holder, home }, at: now.toISOString() }));
}
