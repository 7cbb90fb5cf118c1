/**
 * Where a node keeps its modules' state: the storage interface of JsonStateFile (state-file.ts) and of
 * the few other named pieces of state a node keeps besides its log.
 *
 *   StateStorage.backend(name) → StateBackend: read / write / remove of ONE named state, as bytes.
 *
 * Two implementations:
 *   - files (fileStateStorage, here): the embedded default, today's layout — each name is a file in the
 *     home directory (STATE_FILES), written atomically (tmp + fsync + rename), mode 0600 in a 0700 dir;
 *   - PostgreSQL (pg-state.ts): rows of `<schema>.node_state` in the log's database, so that every
 *     process of an org (its own home, on another machine) sees the same state when it takes the writer
 *     lease. Its writes are fenced by that lease; a process without it is refused (ERR_NOT_LEADER).
 *
 * The names are a closed list: a state that is not listed here has no place in the database.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from './fs.ts';

/** Every named state a node keeps outside its log, with its file in the home directory. */
export const STATE_FILES = {
  federation: ['federation', 'state.json'],
  'federation/departed': ['federation', 'departed.json'],
  policy: ['policy', 'state.json'],
  registry: ['registry', 'state.json'],
  'registry/models': ['registry', 'models', 'state.json'],
  monitoring: ['monitoring', 'state.json'],
  report: ['report', 'state.json'],
  'keys/monitor': ['keys', 'monitor.key'],
  tokens: ['tokens.json'],
  /** The enforcement snapshot a shared log's lease holder publishes for its followers (node/ha). */
  'ha/enforcement': ['ha', 'enforcement.json'],
  /** The org's current public keys, recorded for every process of a shared log to check (node/ha org-keys.ts). */
  'ha/keys': ['ha', 'keys.json'],
} as const satisfies Record<string, readonly string[]>;

export type StateName = keyof typeof STATE_FILES;

export const STATE_NAMES = Object.keys(STATE_FILES) as StateName[];

export function isStateName(v: unknown): v is StateName {
  return typeof v === 'string' && Object.hasOwn(STATE_FILES, v);
}

/** One named state's bytes. */
export interface StateBackend {
  /** Where the state is, for messages: a file path, or `"schema".node_state 'name'`. */
  readonly where: string;
  /** The stored bytes, or undefined when there are none. */
  read(): Promise<Uint8Array | undefined>;
  /** Replaces the state, atomically (the previous or the next, never half of one). */
  write(body: Uint8Array): Promise<void>;
  /** Removes the state (no error when there is none). */
  remove(): Promise<void>;
}

export interface StateStorage {
  /** 'files' (the home directory) or 'postgres' (the log's database). */
  readonly kind: 'files' | 'postgres';
  backend(name: StateName): StateBackend;
}

/** The path of a named state in a home directory. */
export function stateFile(homeDir: string, name: StateName): string {
  return join(homeDir, ...STATE_FILES[name]);
}

class FileBackend implements StateBackend {
  readonly where: string;

  constructor(file: string) {
    this.where = file;
  }

  async read(): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.where));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async write(body: Uint8Array): Promise<void> {
    await mkdir(dirname(this.where), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.where, body, 0o600);
  }

  async remove(): Promise<void> {
    await rm(this.where, { force: true });
  }
}

/** The home directory's files (the embedded default). */
export function fileStateStorage(homeDir: string): StateStorage {
  return { kind: 'files', backend: (name) => new FileBackend(stateFile(homeDir, name)) };
}

/** `storage`, or the files of the home directory `home` when given a path. */
export function storageOf(home: string | StateStorage): StateStorage {
  return typeof home === 'string' ? fileStateStorage(home) : home;
}
