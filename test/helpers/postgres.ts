/**
 * A real PostgreSQL for tests: Debian's `postgresql` package (/usr/lib/postgresql/<version>/bin), one
 * throw-away cluster per suite. PostgreSQL refuses to run as root, so initdb and pg_ctl run as the
 * `postgres` user (runuser) on a data directory under os.tmpdir() owned by that user; the server listens
 * on 127.0.0.1 on a free port and puts its unix socket in the same temporary directory. fsync is off in
 * these clusters (the tests kill processes, never the machine; the benchmark's cluster keeps it on).
 *
 * Where the binaries are missing or the tests do not run as root, a suite is skipped and its title says
 * "skipped: needs postgresql"; `.ci/run` installs postgresql and fails when CI=true and any suite titled
 * so was skipped (as for root and the browser: test/helpers/root.ts, test/helpers/browser.ts).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { IS_ROOT } from './root.ts';

const run = promisify(execFile);

/** The newest installed server's bin directory (GOVFED_PG_BIN overrides it), or undefined. */
function findBinDir(): string | undefined {
  if (process.env.GOVFED_PG_BIN !== undefined) return process.env.GOVFED_PG_BIN;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(base, versions[0], 'bin');
}

export const PG_BIN_DIR = findBinDir();

/** The `postgres` system user's uid and gid (Debian's package creates it). */
function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'));
    const f = line?.split(':');
    return f === undefined ? undefined : { uid: Number(f[2]), gid: Number(f[3]) };
  } catch {
    return undefined;
  }
}

const PG_USER = postgresUser();

export const HAS_POSTGRES = IS_ROOT && PG_BIN_DIR !== undefined && PG_USER !== undefined;

/** The marker in the title of a PostgreSQL suite that did not run (read by .ci/run). */
export const NEEDS_POSTGRES_MARK = 'skipped: needs postgresql';

/** `describe` for a suite that needs PostgreSQL: runs as root with the server installed, is skipped (and says so) otherwise. */
export function describeWithPostgres(name: string, fn: () => void): void {
  describe.skipIf(!HAS_POSTGRES)(HAS_POSTGRES ? name : `${name} (${NEEDS_POSTGRES_MARK})`, fn);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const running = new Set<TestPostgres>();
process.once('exit', () => {
  // A test process that dies without its afterAll must not leave servers behind.
  for (const p of running) p.killNow();
});

/** One throw-away PostgreSQL cluster. */
export class TestPostgres {
  readonly dir: string;
  readonly port: number;
  #databases = 0;

  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.port = port;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** initdb as `postgres`, then start on a free port. */
  static async create(opts: { fsync?: boolean } = {}): Promise<TestPostgres> {
    if (!HAS_POSTGRES || PG_BIN_DIR === undefined || PG_USER === undefined) {
      throw new Error(`PostgreSQL tests need root and ${PG_BIN_DIR ?? '/usr/lib/postgresql/<version>/bin'}`);
    }
    const dir = await mkdtemp(join(tmpdir(), 'govfed-pg-'));
    await chown(dir, PG_USER.uid, PG_USER.gid);
    const p = new TestPostgres(dir, await freePort());
    try {
      await p.#as('initdb', [
        '-D',
        p.dataDir,
        '--auth=trust',
        '-U',
        'postgres',
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
        '--no-sync',
      ]);
      const conf = [
        `port = ${p.port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        `fsync = ${opts.fsync === true ? 'on' : 'off'}`,
        'max_connections = 200',
        'shared_buffers = 64MB',
      ].join('\n');
      // root writes the file in place; it stays owned by postgres
      await appendFile(join(p.dataDir, 'postgresql.auto.conf'), `\n${conf}\n`);
      await p.start();
      return p;
    } catch (err) {
      await rm(dir, { recursive: true, force: true }).catch(() => {});
      throw err;
    }
  }

  async #as(bin: string, args: string[]): Promise<string> {
    const { stdout } = await run('runuser', ['-u', 'postgres', '--', join(PG_BIN_DIR as string, bin), ...args], {
      timeout: 60_000,
    });
    return stdout;
  }

  /** Starts the server (again) and waits until it takes connections. */
  async start(): Promise<void> {
    await this.#as('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-w', '-t', '60', 'start']);
    running.add(this);
  }

  /** Stops the server: `fast` disconnects clients and shuts down cleanly; `immediate` is a crash. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.#as('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
    running.delete(this);
  }

  /** The postmaster's pid, while it runs. */
  pid(): number | undefined {
    try {
      const n = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isSafeInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  }

  /** SIGQUIT to the postmaster (immediate shutdown), synchronously: for process exit. */
  killNow(): void {
    const pid = this.pid();
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Runs SQL as the superuser on `database`. */
  async sql<T extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    params: unknown[] = [],
    database = 'postgres',
  ): Promise<T[]> {
    const c = new pg.Client({ connectionString: this.url(database) });
    await c.connect();
    try {
      return (await c.query<T>(text, params)).rows;
    } finally {
      await c.end();
    }
  }

  /** A new, empty database; returns its URL. */
  async createDatabase(prefix = 'govfed'): Promise<string> {
    const name = `${prefix}_${++this.#databases}`;
    await this.sql(`CREATE DATABASE ${name}`);
    return this.url(name);
  }

  /** Stops the server (immediately) and removes its directory. */
  async destroy(): Promise<void> {
    if (running.has(this)) await this.stop('immediate').catch(() => this.killNow());
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * One cluster for the enclosing suite: created in beforeAll, destroyed in afterAll. Call it inside a
 * describeWithPostgres block; the getter throws before beforeAll ran.
 */
export function usePostgres(opts: { fsync?: boolean } = {}): () => TestPostgres {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await TestPostgres.create(opts);
  }, 120_000);
  afterAll(async () => {
    await server?.destroy();
  });
  return () => {
    if (server === undefined) throw new Error('usePostgres: the server is not started yet');
    return server;
  };
}
