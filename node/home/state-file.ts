/**
 * A service's local state as one JSON document, kept by a StateBackend (state-backend.ts): on the
 * embedded default one file, DIR/<service>/state.json (mode 0600 in a 0700 directory) written atomically —
 * tmp + fsync + rename (writeFileAtomic); on a home whose log is in PostgreSQL one row of the log's
 * schema (pg-state.ts), written in a transaction fenced by the org's writer lease. Either way a crash
 * leaves the previous or the next state, never half of one, and writes are serialised in call order.
 * Loading checks the top-level shape with the owner's guard; the owner re-verifies the contents
 * (signatures, chains) itself.
 */
import { NodeError } from '../errors.ts';
import { type StateBackend, type StateName, type StateStorage, storageOf } from './state-backend.ts';

export class JsonStateFile<T> {
  readonly backend: StateBackend;
  readonly #what: string;
  readonly #isState: (v: unknown) => boolean;
  #writing: Promise<void> = Promise.resolve();

  /**
   * `home`: the home directory (files) or the home's state storage; `name`: the state's name;
   * `what`: named in errors; `isState`: the top-level shape check.
   */
  constructor(home: string | StateStorage, name: StateName, what: string, isState: (v: unknown) => boolean) {
    this.backend = storageOf(home).backend(name);
    this.#what = what;
    this.#isState = isState;
  }

  /** Where the state is kept (a file path, or a row of the database), for messages. */
  get where(): string {
    return this.backend.where;
  }

  /** The stored state, or undefined when there is none yet. Throws ERR_INVALID_CONFIG for a broken one. */
  async load(): Promise<T | undefined> {
    const bytes = await this.backend.read();
    if (bytes === undefined) return undefined;
    return parseState(bytes, this.where, this.#what, this.#isState) as T;
  }

  /** Writes `state` atomically; writes are serialised in call order. */
  save(state: T): Promise<void> {
    const body = Buffer.from(`${JSON.stringify(state)}\n`, 'utf8');
    this.#writing = this.#writing.catch(() => {}).then(() => this.backend.write(body));
    return this.#writing;
  }

  /** Removes the state (after the writes before it): the service holds no state again. */
  remove(): Promise<void> {
    this.#writing = this.#writing.catch(() => {}).then(() => this.backend.remove());
    return this.#writing;
  }

  /** Resolves when every save so far is stored. */
  async flush(): Promise<void> {
    await this.#writing.catch(() => {});
  }
}

/** Parses a stored state's bytes and checks its top-level shape (ERR_INVALID_CONFIG). */
export function parseState(bytes: Uint8Array, where: string, what: string, isState: (v: unknown) => boolean): unknown {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new NodeError('ERR_INVALID_CONFIG', `${where}: invalid JSON`, { cause });
  }
  if (typeof v !== 'object' || v === null || !isState(v)) {
    throw new NodeError('ERR_INVALID_CONFIG', `${where}: not a ${what}`);
  }
  return v;
}
