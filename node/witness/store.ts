/**
 * The witness's storage, under DIR/witness/:
 *
 *     db/                LevelDB (its own, not the audit log's)
 *       s/<origin>       the latest checkpoint this witness cosigned for the origin: JSON {size, rootHash,
 *                        note (the log-signed note as received), cosigned (that note + our cosignature)}
 *       w/<origin>       the newest *witnessed* checkpoint of the origin this node holds: JSON {size, note
 *                        (the log's signature + >= k cosignatures)}
 *       a/<origin>/<hex> an equivocation alert (DSSE envelope JSON), by SHA-256 of its evidence
 *     logs.json          {logs: [verifier keys]}: logs outside the federation this node witnesses
 *
 * Every write is synced but the witnessed checkpoints' (one lost in a crash is learnt again from the next
 * gossip or get-witnessed exchange; an older one stays valid meanwhile). The cosigned state is what makes
 * the witness safe across restarts (it never
 * cosigns a smaller or conflicting tree), so the service reads it, decides and writes it under one lock
 * per origin (queue.ts, cosigner.ts); this file only stores.
 *
 * Lost or damaged state is never papered over (docs/operators-guide.md "Storage faults and recovery"):
 * a store that must exist — the node is in a federation, so its witness has been asked to cosign — and
 * is gone (no db/CURRENT) is ERR_WITNESS_STATE_MISSING, never a new empty store that would cosign a
 * smaller or conflicting tree; one that does not open is ERR_WITNESS_STORE_CORRUPT with LevelDB's reason.
 * Both stop the node at start. `govfed witness reset` (resetWitnessStore) is the operator's deliberate
 * way past them when no backup exists: the damaged store is moved aside, an empty one made, and
 * DIR/witness/reset.json says when and why.
 */
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { fromBase64, toBase64 } from '../../protocol/encoding/bytes.ts';
import type { Envelope } from '../../protocol/federation/index.ts';
import { NodeError } from '../errors.ts';
import { exists, writeFileAtomic } from '../home/fs.ts';

export interface CosignedState {
  size: number;
  rootHash: Uint8Array;
  /** The checkpoint note as the log signed it (evidence if the log later shows another tree). */
  note: string;
  /** The same note with this witness's cosignature line. */
  cosigned: string;
}

export interface WitnessedCheckpoint {
  size: number;
  /** The checkpoint with the log's signature and at least k cosignature lines. */
  note: string;
}

/**
 * What the witness service needs of its store: this file's LevelDB store (the embedded default), or the
 * rows of the log's PostgreSQL schema (pg-store.ts) on a home whose log is there.
 */
export interface WitnessStorage {
  open(opts?: { mustExist?: boolean }): Promise<void>;
  close(): Promise<void>;
  cosigned(origin: string): Promise<CosignedState | undefined>;
  setCosigned(origin: string, s: CosignedState): Promise<void>;
  witnessed(): Promise<Map<string, WitnessedCheckpoint>>;
  setWitnessed(origin: string, w: WitnessedCheckpoint): Promise<void>;
  alerts(): Promise<{ origin: string; id: string; envelope: Envelope }[]>;
  addAlert(origin: string, id: string, envelope: Envelope): Promise<void>;
  externalLogs(): Promise<string[]>;
  setExternalLogs(keys: readonly string[]): Promise<void>;
}

type Db = Level<string, string>;

function json<T>(raw: string | undefined): T | undefined {
  return raw === undefined ? undefined : (JSON.parse(raw) as T);
}

export class WitnessStore implements WitnessStorage {
  readonly dir: string;
  #db: Db | undefined;
  /** Cosigned states read or written since open (the hot read: every checkpoint seen is compared with it). */
  #cosigned = new Map<string, CosignedState | undefined>();

  constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Opens DIR/witness/db. `mustExist`: the store has held state (the node is in a federation), so a
   * missing one is ERR_WITNESS_STATE_MISSING rather than a fresh start. See the top.
   */
  async open(opts: { mustExist?: boolean } = {}): Promise<void> {
    const path = join(this.dir, 'db');
    if (opts.mustExist === true && !(await exists(join(path, 'CURRENT')))) {
      throw new NodeError(
        'ERR_WITNESS_STATE_MISSING',
        `the witness store ${path} is missing, but this node is in a federation: its witness has cosigned ` +
          'checkpoints, and a new empty store could cosign a smaller or conflicting tree of the same log. ' +
          'Restore DIR/witness from a backup of this home, or (no backup) run `govfed witness reset --home DIR`. ' +
          'See "Storage faults and recovery" in docs/operators-guide.md.',
      );
    }
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const db = new Level<string, string>(path, { valueEncoding: 'utf8' });
    try {
      await db.open();
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      if (cause?.code === 'LEVEL_LOCKED') {
        throw new NodeError('ERR_ALREADY_RUNNING', `the witness store in ${this.dir} is in use`, { cause: err });
      }
      throw new NodeError(
        'ERR_WITNESS_STORE_CORRUPT',
        `the witness store ${path} does not open (${cause?.message ?? (err as Error).message}). Restore ` +
          'DIR/witness from a backup of this home, or (no backup) run `govfed witness reset --home DIR`. ' +
          'See "Storage faults and recovery" in docs/operators-guide.md.',
        { cause: err },
      );
    }
    this.#db = db;
  }

  async close(): Promise<void> {
    await this.#db?.close();
    this.#db = undefined;
    this.#cosigned.clear();
  }

  #open(): Db {
    if (this.#db === undefined) throw new NodeError('ERR_SHUTTING_DOWN', 'the witness store is closed');
    return this.#db;
  }

  /** The cosigned state of `origin` (read once from the database, then kept: only this store writes it). */
  async cosigned(origin: string): Promise<CosignedState | undefined> {
    const db = this.#open();
    if (this.#cosigned.has(origin)) return this.#cosigned.get(origin);
    const v = json<{ size: number; rootHash: string; note: string; cosigned: string }>(await db.get(`s/${origin}`));
    const state = v === undefined ? undefined : { ...v, rootHash: fromBase64(v.rootHash) };
    this.#cosigned.set(origin, state);
    return state;
  }

  async setCosigned(origin: string, s: CosignedState): Promise<void> {
    const value = JSON.stringify({ size: s.size, rootHash: toBase64(s.rootHash), note: s.note, cosigned: s.cosigned });
    await this.#open().put(`s/${origin}`, value, { sync: true });
    this.#cosigned.set(origin, { ...s, rootHash: s.rootHash.slice() });
  }

  async witnessed(): Promise<Map<string, WitnessedCheckpoint>> {
    const out = new Map<string, WitnessedCheckpoint>();
    for await (const [k, v] of this.#open().iterator({ gte: 'w/', lt: 'w/~' })) {
      out.set(k.slice(2), JSON.parse(v) as WitnessedCheckpoint);
    }
    return out;
  }

  /** Not synced: a witnessed checkpoint lost in a crash is learnt again (gossip, get-witnessed). */
  async setWitnessed(origin: string, w: WitnessedCheckpoint): Promise<void> {
    await this.#open().put(`w/${origin}`, JSON.stringify(w));
  }

  async alerts(): Promise<{ origin: string; id: string; envelope: Envelope }[]> {
    const out: { origin: string; id: string; envelope: Envelope }[] = [];
    for await (const [k, v] of this.#open().iterator({ gte: 'a/', lt: 'a/~' })) {
      const at = k.lastIndexOf('/');
      out.push({ origin: k.slice(2, at), id: k.slice(at + 1), envelope: JSON.parse(v) as Envelope });
    }
    return out;
  }

  async addAlert(origin: string, id: string, envelope: Envelope): Promise<void> {
    await this.#open().put(`a/${origin}/${id}`, JSON.stringify(envelope), { sync: true });
  }

  /** Verifier keys of the logs outside the federation this node witnesses (logs.json). */
  async externalLogs(): Promise<string[]> {
    let text: string;
    try {
      text = await readFile(join(this.dir, 'logs.json'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const v = JSON.parse(text) as { logs?: unknown };
    if (!Array.isArray(v.logs) || !v.logs.every((k) => typeof k === 'string')) {
      throw new NodeError('ERR_INVALID_CONFIG', 'witness/logs.json: expected {"logs": [verifier keys]}');
    }
    return v.logs as string[];
  }

  async setExternalLogs(keys: readonly string[]): Promise<void> {
    await writeFileAtomic(join(this.dir, 'logs.json'), `${JSON.stringify({ logs: keys }, null, 2)}\n`, 0o644);
  }
}

/** DIR/witness/reset.json: when and why the witness state was reset (`govfed witness reset`). */
export interface WitnessReset {
  time: string;
  reason: 'missing' | 'damaged';
  /** Where the damaged store was moved (reason `damaged`). */
  movedTo?: string;
}

/**
 * `govfed witness reset` with the daemon stopped: refuses (ERR_WITNESS_STATE_PRESENT) when the store opens —
 * there is nothing to reset; otherwise moves a damaged db aside (db.damaged-<time>), makes an empty store
 * and writes DIR/witness/reset.json. The node's other state is untouched.
 */
export async function resetWitnessStore(dir: string, now: Date = new Date()): Promise<WitnessReset> {
  const path = join(dir, 'db');
  let reason: WitnessReset['reason'] = 'missing';
  if (await exists(join(path, 'CURRENT'))) {
    const store = new WitnessStore(dir);
    try {
      await store.open();
      await store.close();
      throw new NodeError(
        'ERR_WITNESS_STATE_PRESENT',
        `the witness store ${path} opens: there is nothing to reset (a reset would drop its cosigned state)`,
      );
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_WITNESS_STORE_CORRUPT') throw err;
      reason = 'damaged';
    }
  }
  const out: WitnessReset = { time: now.toISOString(), reason };
  if (await exists(path)) {
    const movedTo = `${path}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;
    await rename(path, movedTo);
    out.movedTo = movedTo;
  }
  const store = new WitnessStore(dir);
  await store.open();
  await store.close();
  await writeFileAtomic(join(dir, 'reset.json'), `${JSON.stringify(out, null, 2)}\n`, 0o644);
  return out;
}
