/**
 * `govfed ha add-process --from DIR --home NEW`: a second home of the same org's node, for another govfed
 * process on this or another machine, running on the same PostgreSQL database (issue 19; docs/
 * operators-guide.md "Running an org's node highly available"). Both processes are the same node: the
 * same org, origin, log key, peer id and witness key. One of them holds the log's writer lease and runs
 * the node; the others follow and take the lease when it goes.
 *
 * Checklist: DIR is a home (ERR_HOME_NOT_FOUND) whose log is in PostgreSQL with store.shared true
 * (ERR_STORE_NOT_SHARED, telling how to turn it on) → NEW does not exist (ERR_HOME_EXISTS) → everything
 * is made in a temporary directory next to NEW (mode 0700): every key file of DIR/keys (log.key,
 * peer.key, witness.key, store.password, monitor.key, a rotation's *.next; each checked private first,
 * ERR_INSECURE_PERMISSIONS) with mode 0600, tokens.json and admin.token when present (0600), the retired
 * logs (DIR/retired, read-only LevelDBs that are still served) and config.json with NEW's api and listen
 * → the result is loaded like the daemon loads a home (keys cross-checked with config.json:
 * ERR_KEY_MISMATCH) → a member card is signed for that config → only then is the directory renamed to
 * NEW (the temporary directory is invisible as a home until then, so config.json need not be last). A
 * failure removes the temporary directory: NEW is made whole or not at all.
 *
 * Not copied: DIR/data and DIR/high-water.json (the embedded store's; a shared home's log is the
 * database), DIR/witness (the witness's store; on a PostgreSQL home it lives in the database), the run
 * files (govfed.pid, api.addr). Nothing here connects to the database.
 */
import { cp, lstat, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { NodeError } from '../errors.ts';
import { checkConfig, homePaths, type NodeConfig, readConfig } from './config.ts';
import { checkSetting } from './config-set.ts';
import { exists, syncDir, writeFileAtomic } from './fs.ts';
import { loadHome, readSecret } from './load.ts';
import { writeMemberCard } from './member-card.ts';
import { tightenTree } from './permissions.ts';

export interface AddProcessOptions {
  /** The home of a process of the org (its log in PostgreSQL, store.shared true). */
  from: string;
  /** The new home; must not exist. */
  home: string;
  /** NEW's API address HOST:PORT (default: DIR's). */
  api?: string;
  /** NEW's libp2p listen multiaddr (default: DIR's). */
  listen?: string;
}

export interface AddProcessResult {
  /** Absolute path of NEW. */
  home: string;
  /** Absolute path of DIR. */
  from: string;
  org: string;
  origin: string;
  peerId: string;
  api: string;
  listen: string;
  /** The database, as config.json names it (never with a password). */
  store: string;
  /** Whether NEW has keys/store.password; if not, its process needs PGPASSWORD or ~/.pgpass. */
  storePassword: boolean;
  /** What was copied from DIR, relative to it, sorted. */
  copied: string[];
  memberCard: string;
}

/** The files a process reads besides keys/ (both secret: 0600). */
const TOKEN_FILES = ['tokens.json', 'admin.token'] as const;

/** ERR_STORE_NOT_SHARED unless `config` names a PostgreSQL store shared by several processes. */
export function requireSharedStore(config: NodeConfig, dir: string): NonNullable<NodeConfig['store']> {
  if (config.store === undefined) {
    throw new NodeError(
      'ERR_STORE_NOT_SHARED',
      `${dir} keeps its log in the embedded LevelDB (DIR/data), which one process alone can use. Move it into ` +
        `PostgreSQL first: stop the node, run 'govfed store migrate --home ${dir} --from leveldb --to ` +
        `postgres://USER@HOST:PORT/DATABASE', then 'govfed config set --home ${dir} store.shared true'`,
    );
  }
  if (config.store.shared !== true) {
    throw new NodeError(
      'ERR_STORE_NOT_SHARED',
      `${dir} keeps its log in PostgreSQL for one process only (config.json store.shared is not true): run ` +
        `'govfed config set --home ${dir} store.shared true' and restart its node, then add processes`,
    );
  }
  return config.store;
}

/** Makes NEW, a home of DIR's org node for another process on the same database. */
export async function addProcessHome(o: AddProcessOptions): Promise<AddProcessResult> {
  if (typeof o.from !== 'string' || o.from === '' || typeof o.home !== 'string' || o.home === '') {
    throw new NodeError('ERR_VALIDATION', 'both the existing home (--from) and the new one (--home) are required');
  }
  if (o.api !== undefined) checkSetting('api', o.api); // ERR_VALIDATION
  if (o.listen !== undefined) checkSetting('listen', o.listen);
  const from = resolve(o.from);
  const to = resolve(o.home);
  const config = await readConfig(from); // ERR_HOME_NOT_FOUND, ERR_INVALID_CONFIG
  const store = requireSharedStore(config, from);
  await refuseExisting(to);

  const parent = dirname(to);
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const tmp = await mkdtemp(join(parent, `.${basename(to)}.add-process-`)); // mode 0700
  try {
    const copied = await copyProcessFiles(from, tmp, config);
    const next = checkConfig({ ...config, api: o.api ?? config.api, listen: o.listen ?? config.listen });
    await writeFileAtomic(homePaths(tmp).config, `${JSON.stringify(next, null, 2)}\n`, 0o644);
    await loadHome(tmp); // the keys match config.json, exactly as the daemon will check them
    await writeMemberCard(tmp, next); // signed with the (checked) peer key
    await refuseExisting(to);
    try {
      await rename(tmp, to);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTEMPTY') throw homeExists(to);
      throw err;
    }
    await syncDir(parent);
    return {
      home: to,
      from,
      org: next.org,
      origin: next.origin,
      peerId: next.peerId,
      api: next.api,
      listen: next.listen,
      store: store.url,
      storePassword: copied.includes('keys/store.password'),
      copied,
      memberCard: homePaths(to).memberCard,
    };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

function homeExists(to: string): NodeError {
  return new NodeError(
    'ERR_HOME_EXISTS',
    `${to} already exists: 'govfed ha add-process' makes the new home itself (name a path that does not exist)`,
  );
}

async function refuseExisting(to: string): Promise<void> {
  try {
    await lstat(to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  throw homeExists(to);
}

/** Copies what a process of the org needs from `from` into `tmp`; returns the copied paths, sorted. */
async function copyProcessFiles(from: string, tmp: string, config: NodeConfig): Promise<string[]> {
  const src = homePaths(from);
  const dst = homePaths(tmp);
  const copied: string[] = [];
  await mkdir(dst.keys, { mode: 0o700 });
  const names = (await readdir(src.keys)).filter((n) => !n.startsWith('.')).sort(); // .*.tmp: atomic writes
  for (const required of [src.logKey, src.peerKey, src.witnessKey]) {
    if (!names.includes(basename(required))) {
      throw new NodeError('ERR_INVALID_CONFIG', `missing key file ${required}`);
    }
  }
  for (const name of names) {
    const file = join(src.keys, name);
    const st = await lstat(file);
    if (!st.isFile()) {
      throw new NodeError('ERR_INVALID_CONFIG', `${file} is not a regular file: a home's keys/ holds key files only`);
    }
    await writeFileAtomic(join(dst.keys, name), await readSecret(file), 0o600);
    copied.push(`keys/${name}`);
  }
  for (const name of TOKEN_FILES) {
    const file = join(from, name);
    if (!(await exists(file))) continue;
    await writeFileAtomic(join(tmp, name), await readSecret(file), 0o600);
    copied.push(name);
  }
  if ((config.retiredLogs?.length ?? 0) > 0 && (await exists(join(from, 'retired')))) {
    await cp(join(from, 'retired'), join(tmp, 'retired'), { recursive: true, errorOnExist: true, force: false });
    await tightenTree(join(tmp, 'retired'));
    copied.push('retired/');
  }
  return copied.sort();
}
