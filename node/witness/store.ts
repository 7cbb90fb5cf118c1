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
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { fromBase64, toBase64 } from '../../protocol/encoding/bytes.ts';
import type { Envelope } from '../../protocol/federation/index.ts';
import { NodeError } from '../errors.ts';
import { writeFileAtomic } from '../home/fs.ts';

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

type Db = Level<string, string>;

function json<T>(raw: string | undefined): T | undefined {
  return raw === undefined ? undefined : (JSON.parse(raw) as T);
}

export class WitnessStore {
  readonly dir: string;
  #db: Db | undefined;
  /** Cosigned states read or written since open (the hot read: every checkpoint seen is compared with it). */
  #cosigned = new Map<string, CosignedState | undefined>();

  constructor(dir: string) {
    this.dir = dir;
  }

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const db = new Level<string, string>(join(this.dir, 'db'), { valueEncoding: 'utf8' });
    try {
      await db.open();
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      if (cause?.code === 'LEVEL_LOCKED') {
        throw new NodeError('ERR_ALREADY_RUNNING', `the witness store in ${this.dir} is in use`, { cause: err });
      }
      throw err;
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
