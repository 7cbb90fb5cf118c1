/**
 * A service's local state as one JSON file (DIR/<service>/state.json, mode 0600 in a 0700 directory),
 * written atomically — tmp + fsync + rename (writeFileAtomic) — with writes serialised in call order, so
 * a crash leaves the previous or the next state, never half of one. Loading checks the top-level shape
 * with the owner's guard; the owner re-verifies the contents (signatures, chains) itself.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeError } from '../errors.ts';
import { writeFileAtomic } from './fs.ts';

export class JsonStateFile<T> {
  readonly dir: string;
  readonly file: string;
  readonly #what: string;
  readonly #isState: (v: unknown) => boolean;
  #writing: Promise<void> = Promise.resolve();

  /** `dir`: the service's directory; `what`: named in errors; `isState`: the top-level shape check. */
  constructor(dir: string, what: string, isState: (v: unknown) => boolean) {
    this.dir = dir;
    this.file = join(dir, 'state.json');
    this.#what = what;
    this.#isState = isState;
  }

  /** The stored state, or undefined when there is none yet. Throws ERR_INVALID_CONFIG for a broken file. */
  async load(): Promise<T | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (cause) {
      throw new NodeError('ERR_INVALID_CONFIG', `${this.file}: invalid JSON`, { cause });
    }
    if (typeof v !== 'object' || v === null || !this.#isState(v)) {
      throw new NodeError('ERR_INVALID_CONFIG', `${this.file}: not a ${this.#what}`);
    }
    return v as T;
  }

  /** Writes `state` atomically; writes are serialised in call order. */
  save(state: T): Promise<void> {
    const text = `${JSON.stringify(state)}\n`;
    this.#writing = this.#writing
      .catch(() => {})
      .then(async () => {
        await mkdir(this.dir, { recursive: true, mode: 0o700 });
        await writeFileAtomic(this.file, text, 0o600);
      });
    return this.#writing;
  }

  /** Removes the file (after the writes before it): the service holds no state again. */
  remove(): Promise<void> {
    this.#writing = this.#writing.catch(() => {}).then(() => rm(this.file, { force: true }));
    return this.#writing;
  }

  /** Resolves when every save so far is on disk. */
  async flush(): Promise<void> {
    await this.#writing.catch(() => {});
  }
}
