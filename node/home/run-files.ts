import { rm } from 'node:fs/promises';
import type { Startable } from '../lifecycle.ts';
import { writeFileAtomic } from './fs.ts';
import type { LoadedHome } from './load.ts';

/** DIR/api.addr and DIR/govfed.pid: written once everything started (the API's
 * address: the HTTP server's, once it listens), removed once everything stopped. */
export class RunFiles implements Startable {
  readonly #home: LoadedHome;
  readonly #api: { readonly address: string | undefined };
  /** Only files this run wrote are removed: a start refused for a running daemon leaves its files alone. */
  #written = false;

  constructor(home: LoadedHome, api: { readonly address: string | undefined }) {
    this.#home = home;
    this.#api = api;
  }

  start(): void {}

  async afterStart(): Promise<void> {
    const { paths } = this.#home;
    this.#written = true;
    await writeFileAtomic(paths.apiAddr, `${this.#api.address}\n`, 0o644);
    await writeFileAtomic(paths.pid, `${process.pid}\n`, 0o644);
  }

  stop(): void {}

  async afterStop(): Promise<void> {
    if (!this.#written) return;
    this.#written = false;
    await rm(this.#home.paths.pid, { force: true });
    await rm(this.#home.paths.apiAddr, { force: true });
  }
}
