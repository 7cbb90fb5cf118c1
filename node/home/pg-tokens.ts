/**
 * The API tokens of an org whose node is in PostgreSQL: one token list — the same JSON as tokens.json,
 * hashes only — kept as the state `tokens` of `<schema>.node_state` (pg-state.ts), so a token minted on
 * one process of the org is accepted by every process.
 *
 *   - minting: one fenced read-modify-write transaction (PgStateDb.update), by the process holding the
 *     writer lease only (ERR_NOT_LEADER elsewhere: POST /v1/tokens answers 503 naming the holder);
 *   - reading: every process keeps the list in memory and checks the row's version (one indexed read)
 *     at most every reloadIntervalMs, and at once for a well-formed token it does not know — one check at
 *     a time (concurrent unknown tokens share it), so a flood of made-up tokens costs one query in flight;
 *   - a failed reload keeps the list in force; the first load's failure is the caller's.
 *   - until the database holds a list, the home's DIR/tokens.json (written by `govfed init`) is the list,
 *     and the first mint — or `adopt()` by the lease holder at start — carries it into the database.
 */
import { createHash } from 'node:crypto';
import { NodeError } from '../errors.ts';
import type { PgStateDb } from './pg-state.ts';
import {
  generateToken,
  isTokenSyntax,
  lookupToken,
  type NewToken,
  parseTokensFile,
  type Role,
  readTokens,
  type TokenAuthority,
  type TokenInfo,
  type TokenPrincipal,
  type TokensFile,
} from './tokens.ts';

interface HashedEntry {
  id: string;
  role: Role;
  hash: Buffer;
  expiresMs: number;
}

export interface PgTokenStoreOptions {
  /** The home's tokens.json: the list while the database holds none. */
  homeFile: string;
  /** Minimum time between two version checks of the list (default 1000 ms). */
  reloadIntervalMs?: number;
  now?: () => number;
}

function encode(tokens: TokensFile): Uint8Array {
  return Buffer.from(`${JSON.stringify(tokens, null, 2)}\n`, 'utf8');
}

function decode(body: Uint8Array): TokensFile {
  return parseTokensFile(Buffer.from(body).toString('utf8'));
}

export class PgTokenStore implements TokenAuthority {
  readonly #db: PgStateDb;
  readonly #o: PgTokenStoreOptions;
  readonly #now: () => number;
  #entries: HashedEntry[] = [];
  /** The row's version the entries come from; 0n: from the home's file. */
  #version: bigint | undefined;
  #lastCheck = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<void> | undefined;

  constructor(db: PgStateDb, o: PgTokenStoreOptions) {
    this.#db = db;
    this.#o = o;
    this.#now = o.now ?? Date.now;
  }

  /** Loads the list (ERR_STORE_UNAVAILABLE, ERR_INVALID_CONFIG). */
  async load(): Promise<void> {
    await this.refresh();
  }

  /** Checks the row's version and reads the list when it changed (concurrent calls share one check). */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    this.#lastCheck = this.#now();
    const stored = await this.#db.read('tokens');
    if (stored !== undefined && stored.version === this.#version) return;
    const list = stored === undefined ? await readTokens(this.#o.homeFile) : decode(stored.body);
    this.#entries = list.tokens.map((t) => ({
      id: t.id,
      role: t.role,
      hash: Buffer.from(t.sha256, 'hex'),
      expiresMs: t.expires === undefined ? Number.POSITIVE_INFINITY : Date.parse(t.expires),
    }));
    this.#version = stored?.version ?? 0n;
  }

  async verify(token: string): Promise<Role | undefined> {
    return (await this.authenticate(token))?.role;
  }

  async authenticate(token: string): Promise<TokenPrincipal | undefined> {
    if (this.#now() - this.#lastCheck >= (this.#o.reloadIntervalMs ?? 1000)) {
      await this.refresh().catch(() => {}); // keep the list we had; the next check tries again
    }
    if (!isTokenSyntax(token)) return undefined;
    const hash = createHash('sha256').update(token, 'utf8').digest();
    const found = this.#lookup(hash);
    if (found !== undefined) return found;
    // A well-formed unknown token may have just been minted by another process of the org.
    try {
      await this.refresh();
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

  /** Mints a token in the database's list (fenced; the home's tokens.json is carried along the first time). */
  async create(role: Role, opts: { ttlMs?: number } = {}): Promise<NewToken> {
    const { token, entry } = generateToken(role, new Date(this.#now()), opts.ttlMs);
    const seed = await readTokens(this.#o.homeFile);
    await this.#db.update('tokens', (cur) => {
      const list = cur === undefined ? seed : decode(cur);
      return { body: encode({ tokens: [...list.tokens, entry] }), result: undefined };
    });
    await this.refresh();
    return token;
  }

  /** By the lease holder: carries the home's tokens.json into the database when it holds no list yet. */
  async adopt(): Promise<boolean> {
    const seed = await readTokens(this.#o.homeFile);
    const adopted = await this.#db.update('tokens', (cur) =>
      cur === undefined ? { body: encode(seed), result: true } : { result: false },
    );
    await this.refresh();
    return adopted;
  }

  /** Removes the token with public id `id` (fenced). ERR_NOT_FOUND when no token has it. */
  async revoke(id: string): Promise<TokenInfo> {
    const seed = await readTokens(this.#o.homeFile);
    const found = await this.#db.update('tokens', (cur) => {
      const list = cur === undefined ? seed : decode(cur);
      const t = list.tokens.find((e) => e.id === id);
      if (t === undefined) throw new NodeError('ERR_NOT_FOUND', `no token with id '${id}'`);
      return { body: encode({ tokens: list.tokens.filter((e) => e.id !== id) }), result: t };
    });
    await this.refresh();
    return { id: found.id, role: found.role, created: found.created, expires: found.expires ?? null };
  }

  /** The tokens of the list, without their hashes, oldest first. */
  async list(): Promise<TokenInfo[]> {
    const stored = await this.#db.read('tokens');
    const list = stored === undefined ? await readTokens(this.#o.homeFile) : decode(stored.body);
    return list.tokens.map((t) => ({ id: t.id, role: t.role, created: t.created, expires: t.expires ?? null }));
  }
}
