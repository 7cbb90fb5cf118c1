/**
 * API tokens.
 *
 * A token is `gf_<role>_<43 chars of base64url>` (32 random bytes). The role in the prefix is only a
 * hint for people; the role that counts is the one stored with the token's hash. DIR/tokens.json
 * (mode 0600) keeps only SHA-256 hashes, so reading the file does not give anyone a usable token.
 * Presented tokens (attacker-controlled) are hashed and compared with every stored hash in constant time.
 *
 * `createToken` edits tokens.json atomically under a lock file, so the CLI (`govfed token create`) and
 * a running daemon (POST /v1/tokens) can both add tokens; TokenStore notices the change by the file's
 * identity (inode, size, mtime) and reloads it.
 *
 * A home whose log is in PostgreSQL keeps the same list in the database instead, shared by every process
 * of the org (pg-tokens.ts; the CLI's commands: home-tokens.ts). TokenAuthority is what the API needs of
 * either.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { NodeError } from '../errors.ts';
import { homePaths } from './config.ts';
import { writeFileAtomic } from './fs.ts';

export const ROLES = ['ingest', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const TOKEN_PATTERN = '^gf_(ingest|auditor|admin)_[A-Za-z0-9_-]{43}$';
const TOKEN_RE = new RegExp(TOKEN_PATTERN);
const MAX_TOKENS_FILE_BYTES = 4 << 20;

export interface TokenEntry {
  /** A short public handle (not derived from the token). */
  id: string;
  role: Role;
  /** Lowercase hex SHA-256 of the token string. */
  sha256: string;
  /** RFC 3339 UTC. */
  created: string;
  /** RFC 3339 UTC; after it the token is refused. Absent: the token does not expire. */
  expires?: string;
}

/** Who a presented token is: its role and public id (never the token or its hash). */
export interface TokenPrincipal {
  id: string;
  role: Role;
}

/** What `govfed token list` shows of a token: never the token or its hash. */
export interface TokenInfo {
  id: string;
  role: Role;
  created: string;
  expires: string | null;
}

export interface TokensFile {
  tokens: TokenEntry[];
}

export interface NewToken {
  token: string;
  id: string;
  role: Role;
  /** RFC 3339 UTC, when the token was made with a lifetime. */
  expires?: string;
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** True when `s` has the syntax of a govfed token. */
export function isTokenSyntax(s: unknown): s is string {
  return typeof s === 'string' && TOKEN_RE.test(s);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A fresh token for `role` and the entry that stores its hash. */
export function generateToken(
  role: Role,
  now: Date = new Date(),
  ttlMs?: number,
): { token: NewToken; entry: TokenEntry } {
  if (!isRole(role)) throw new NodeError('ERR_VALIDATION', `role must be one of ${ROLES.join(', ')}`);
  if (ttlMs !== undefined && !(Number.isSafeInteger(ttlMs) && ttlMs > 0)) {
    throw new NodeError('ERR_VALIDATION', 'a token lifetime must be a positive whole number of milliseconds');
  }
  const token = `gf_${role}_${randomBytes(32).toString('base64url')}`;
  const id = randomBytes(6).toString('hex');
  const entry: TokenEntry = { id, role, sha256: hashToken(token), created: now.toISOString() };
  const created: NewToken = { token, id, role };
  if (ttlMs !== undefined) {
    entry.expires = new Date(now.getTime() + ttlMs).toISOString();
    created.expires = entry.expires;
  }
  return { token: created, entry };
}

/** Parses and checks tokens.json. Throws ERR_INVALID_CONFIG. */
export function parseTokensFile(text: string): TokensFile {
  const fail = (msg: string) => new NodeError('ERR_INVALID_CONFIG', `tokens.json: ${msg}`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (cause) {
    throw new NodeError('ERR_INVALID_CONFIG', 'tokens.json: invalid JSON', { cause });
  }
  const tokens = (v as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(tokens)) throw fail('expected {"tokens": [...]}');
  for (const t of tokens) {
    const e = t as Partial<TokenEntry> | null;
    if (
      typeof e !== 'object' ||
      e === null ||
      typeof e.id !== 'string' ||
      !isRole(e.role) ||
      typeof e.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(e.sha256) ||
      typeof e.created !== 'string' ||
      (e.expires !== undefined && (typeof e.expires !== 'string' || Number.isNaN(Date.parse(e.expires))))
    ) {
      throw fail(
        'each token needs id, role (ingest|auditor|admin), sha256 (64 hex), created and an optional expires (RFC 3339)',
      );
    }
  }
  return { tokens: tokens as TokenEntry[] };
}

export async function writeTokensFile(file: string, tokens: TokensFile): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(tokens, null, 2)}\n`, 0o600);
}

// One writer at a time: a promise chain inside this process, a lock file across processes.
let chain: Promise<unknown> = Promise.resolve();

async function withLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const run = chain.then(async () => {
    const lock = `${file}.lock`;
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        await (await open(lock, 'wx', 0o600)).close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const age = await stat(lock).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        );
        if (age > 10_000)
          await rm(lock, { force: true }); // left behind by a crashed writer
        else if (Date.now() > deadline) throw new NodeError('ERR_INTERNAL', `${lock} is held by another writer`);
        else await new Promise((r) => setTimeout(r, 20));
      }
    }
    try {
      return await fn();
    } finally {
      await rm(lock, { force: true });
    }
  });
  chain = run.catch(() => undefined);
  return run;
}

/** The tokens of `file` (none when it does not exist). Throws ERR_INVALID_CONFIG for a broken file. */
export async function readTokens(file: string): Promise<TokensFile> {
  try {
    return parseTokensFile(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return { tokens: [] };
  }
}

/**
 * Adds a new token for `role` to DIR/tokens.json and returns it (the only time the token is visible).
 * With `ttlMs` it expires that long from now.
 */
export async function createToken(dir: string, role: Role, opts: { ttlMs?: number } = {}): Promise<NewToken> {
  return createTokenIn(homePaths(dir).tokens, role, opts);
}

/** createToken for the token file `file`. */
export async function createTokenIn(file: string, role: Role, opts: { ttlMs?: number } = {}): Promise<NewToken> {
  const { token, entry } = generateToken(role, new Date(), opts.ttlMs);
  await withLock(file, async () => {
    const current = await readTokens(file);
    await writeTokensFile(file, { tokens: [...current.tokens, entry] });
  });
  return token;
}

/** The tokens of DIR/tokens.json, without their hashes, oldest first. */
export async function listTokens(dir: string): Promise<TokenInfo[]> {
  const { tokens } = await readTokens(homePaths(dir).tokens);
  return tokens.map((t) => ({ id: t.id, role: t.role, created: t.created, expires: t.expires ?? null }));
}

/**
 * Removes the token with public id `id` from DIR/tokens.json (a running node refuses it from its next
 * request on: TokenStore checks the file on every verify). Throws ERR_NOT_FOUND when no token has that id.
 */
export async function revokeToken(dir: string, id: string): Promise<TokenInfo> {
  const file = homePaths(dir).tokens;
  return await withLock(file, async () => {
    const current = await readTokens(file);
    const found = current.tokens.find((t) => t.id === id);
    if (found === undefined) {
      throw new NodeError('ERR_NOT_FOUND', `no token with id '${id}' (see govfed token list --home ${dir})`);
    }
    await writeTokensFile(file, { tokens: current.tokens.filter((t) => t.id !== id) });
    return { id: found.id, role: found.role, created: found.created, expires: found.expires ?? null };
  });
}

/**
 * The API's tokens, wherever they are kept: TokenStore (DIR/tokens.json, here) or PgTokenStore (the log's
 * PostgreSQL database, shared by every process of the org: pg-tokens.ts).
 */
export interface TokenAuthority {
  /** The role of `token` (attacker-controlled), or undefined when it is malformed or unknown. */
  verify(token: string): Role | undefined | Promise<Role | undefined>;
  /** Like verify, with the token's public id (what the API's per-token rate limit counts by). */
  authenticate(token: string): TokenPrincipal | undefined | Promise<TokenPrincipal | undefined>;
  /** Mints a token for `role` (the only time it is visible) and accepts it from now on. */
  create(role: Role, opts?: { ttlMs?: number }): Promise<NewToken>;
}

export interface TokenStoreOptions {
  /**
   * Minimum time between two checks of the file for changes (default 0: every verify stats the file, so a
   * revoked token is refused from the next request on; the file is read only when it changed).
   */
  reloadIntervalMs?: number;
  now?: () => number;
}

interface HashedEntry {
  id: string;
  role: Role;
  hash: Buffer;
  /** Epoch ms after which the token is refused; Infinity when it does not expire. */
  expiresMs: number;
}

/**
 * The tokens the API accepts, loaded from tokens.json and reloaded when the file changes: checked at most
 * once per reloadIntervalMs (by default on every verify, a stat; the file is read only when its identity
 * changed), and at once when a well-formed token is unknown. So `govfed token revoke` takes effect from
 * the node's next request, without a restart. An expired token (`expires` passed) is refused. If a reload
 * fails (a half-edited file), the previous set stays in force.
 */
export class TokenStore implements TokenAuthority {
  readonly file: string;
  #entries: HashedEntry[] = [];
  #identity = '';
  #lastCheck = 0;
  readonly #interval: number;
  readonly #now: () => number;

  constructor(file: string, opts: TokenStoreOptions = {}) {
    this.file = file;
    this.#interval = opts.reloadIntervalMs ?? 0;
    this.#now = opts.now ?? Date.now;
    this.reload();
  }

  /** The store of DIR/tokens.json. */
  static forHome(dir: string, opts?: TokenStoreOptions): TokenStore {
    return new TokenStore(homePaths(dir).tokens, opts);
  }

  /** Adds a token to the file (under its lock) and accepts it at once. */
  async create(role: Role, opts: { ttlMs?: number } = {}): Promise<NewToken> {
    const made = await createTokenIn(this.file, role, opts);
    this.reload();
    return made;
  }

  /** Re-reads the file if it changed since the last load. Throws when the first load fails. */
  reload(): void {
    this.#lastCheck = this.#now();
    let identity: string;
    try {
      const s = statSync(this.file, { bigint: true });
      identity = `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      identity = 'missing';
    }
    if (identity === this.#identity) return;
    let entries: HashedEntry[] = [];
    if (identity !== 'missing') {
      const text = readFileSync(this.file, 'utf8');
      if (text.length > MAX_TOKENS_FILE_BYTES) throw new NodeError('ERR_INVALID_CONFIG', 'tokens.json is too large');
      entries = parseTokensFile(text).tokens.map((t) => ({
        id: t.id,
        role: t.role,
        hash: Buffer.from(t.sha256, 'hex'),
        expiresMs: t.expires === undefined ? Number.POSITIVE_INFINITY : Date.parse(t.expires),
      }));
    }
    this.#entries = entries;
    this.#identity = identity;
  }

  /** The role of `token` (attacker-controlled), or undefined when it is malformed or unknown. */
  verify(token: string): Role | undefined {
    return this.authenticate(token)?.role;
  }

  /** The role and public id of `token` (attacker-controlled), or undefined when it is malformed or unknown. */
  authenticate(token: string): TokenPrincipal | undefined {
    if (this.#now() - this.#lastCheck >= this.#interval) {
      try {
        this.reload();
      } catch {
        // keep the tokens we had; the next check tries again
      }
    }
    if (!isTokenSyntax(token)) return undefined;
    const hash = createHash('sha256').update(token, 'utf8').digest();
    const found = this.#lookup(hash);
    if (found !== undefined) return found;
    // A well-formed but unknown token may have just been created by `govfed token create`: check the
    // file now (a stat; the file is only read when it changed) instead of waiting for the interval.
    try {
      this.reload();
    } catch {
      return undefined;
    }
    return this.#lookup(hash);
  }

  #lookup(hash: Buffer): TokenPrincipal | undefined {
    return lookupToken(this.#entries, hash, this.#now());
  }

  get size(): number {
    return this.#entries.length;
  }
}

/**
 * The role and id of the token whose hash is `hash` among `entries`, unexpired at `now` (ms): every entry
 * is compared in constant time, so the answer's timing says nothing about which entry matched.
 */
export function lookupToken(
  entries: readonly { id: string; hash: Buffer; role: Role; expiresMs: number }[],
  hash: Buffer,
  now: number,
): TokenPrincipal | undefined {
  let found: TokenPrincipal | undefined;
  for (const e of entries) {
    if (timingSafeEqual(e.hash, hash) && now < e.expiresMs) found ??= { id: e.id, role: e.role };
  }
  return found;
}
