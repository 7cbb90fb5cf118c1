/**
 * A real, throw-away PostgreSQL cluster: Debian's `postgresql` package (/usr/lib/postgresql/<version>/bin).
 * PostgreSQL refuses to run as root, so initdb and pg_ctl run as the `postgres` user (runuser) on a data
 * directory under os.tmpdir() owned by that user; the server listens on 127.0.0.1 on a free port and puts
 * its unix socket in the same temporary directory. fsync is off unless asked for (the tests kill
 * processes, never the machine; the benches keep it on).
 *
 * No vitest here, so that the benches (bench/) start the same server; the suites' helpers
 * (describeWithPostgres, usePostgres) are in test/helpers/postgres.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

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

/** True when this process runs as root (as test/helpers/root.ts says, without vitest). */
const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

export const HAS_POSTGRES = IS_ROOT && PG_BIN_DIR !== undefined && PG_USER !== undefined;

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
