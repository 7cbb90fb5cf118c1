import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePaths } from '../../../node/home/config.ts';
import {
  createToken,
  generateToken,
  hashToken,
  isTokenSyntax,
  listTokens,
  parseTokensFile,
  revokeToken,
  TokenStore,
  writeTokensFile,
} from '../../../node/home/tokens.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'govfed-tokens-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('generateToken', () => {
  describe('when asked for each role', () => {
    it('makes gf_<role>_<43 base64url chars> tokens whose entry stores their SHA-256', () => {
      for (const role of ['ingest', 'auditor', 'admin'] as const) {
        const { token, entry } = generateToken(role);
        expect(token.token).toMatch(new RegExp(`^gf_${role}_[A-Za-z0-9_-]{43}$`));
        expect(isTokenSyntax(token.token)).toBe(true);
        expect(entry.sha256).toBe(hashToken(token.token));
        expect(entry.role).toBe(role);
        expect(entry.id).toBe(token.id);
      }
    });
  });

  describe('when asked for an unknown role', () => {
    it('throws ERR_VALIDATION', () => {
      expect(() => generateToken('root' as never)).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION' }));
    });
  });
});

describe('createToken', () => {
  describe('when tokens.json does not exist yet', () => {
    it('creates it with mode 0600 and only the hash', async () => {
      const t = await createToken(dir, 'ingest');
      const file = homePaths(dir).tokens;
      expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
      const text = await readFile(file, 'utf8');
      expect(text).not.toContain(t.token);
      expect(parseTokensFile(text).tokens).toEqual([expect.objectContaining({ id: t.id, role: 'ingest' })]);
    });
  });

  describe('when many tokens are created at once', () => {
    it('keeps every one of them', async () => {
      const made = await Promise.all(
        Array.from({ length: 25 }, (_, i) => createToken(dir, i % 2 ? 'auditor' : 'ingest')),
      );
      const store = TokenStore.forHome(dir);
      expect(store.size).toBe(25);
      for (const t of made) expect(store.verify(t.token)).toBe(t.role);
    });
  });
});

describe('TokenStore.verify', () => {
  describe('when the token is known', () => {
    it('returns its stored role', async () => {
      const a = await createToken(dir, 'auditor');
      const store = TokenStore.forHome(dir);
      expect(store.verify(a.token)).toBe('auditor');
    });

    it('authenticate gives its role and public id (each token its own)', async () => {
      const a = await createToken(dir, 'auditor');
      const b = await createToken(dir, 'auditor');
      const store = TokenStore.forHome(dir);
      expect(store.authenticate(a.token)).toEqual({ id: a.id, role: 'auditor' });
      expect(store.authenticate(b.token)).toEqual({ id: b.id, role: 'auditor' });
      expect(a.id).not.toBe(b.id);
      expect(store.authenticate(`${a.token}x`)).toBeUndefined();
    });
  });

  describe('when the token is unknown or malformed', () => {
    it('returns undefined', async () => {
      const a = await createToken(dir, 'admin');
      const store = TokenStore.forHome(dir);
      expect(store.verify(`${a.token.slice(0, -1)}${a.token.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
      expect(store.verify(generateToken('admin').token.token)).toBeUndefined();
      expect(store.verify('')).toBeUndefined();
      expect(store.verify(`${a.token} `)).toBeUndefined();
      expect(store.verify(a.token.replace('gf_admin_', 'gf_ingest_'))).toBeUndefined();
    });

    it('never accepts an arbitrary string', async () => {
      await createToken(dir, 'admin');
      const store = TokenStore.forHome(dir);
      fc.assert(fc.property(fc.string(), (s) => store.verify(s) === undefined));
    });
  });

  describe('when the role in the prefix disagrees with the stored role', () => {
    it('trusts the stored role', async () => {
      const { token, entry } = generateToken('admin');
      await writeTokensFile(homePaths(dir).tokens, { tokens: [{ ...entry, role: 'ingest' }] });
      expect(TokenStore.forHome(dir).verify(token.token)).toBe('ingest');
    });
  });

  describe('when tokens.json changes while the store is in use', () => {
    it('accepts a token created after the store loaded, at once', async () => {
      await createToken(dir, 'admin');
      const c = clock();
      const store = TokenStore.forHome(dir, { now: c.now, reloadIntervalMs: 500 });
      const t = await createToken(dir, 'ingest');
      c.advance(1);
      expect(store.verify(t.token)).toBe('ingest');
    });

    it('still rejects a well-formed token that is in no file', async () => {
      await createToken(dir, 'admin');
      const store = TokenStore.forHome(dir);
      const { token } = generateToken('admin');
      expect(store.verify(token.token)).toBeUndefined();
    });

    it('drops removed tokens', async () => {
      const t = await createToken(dir, 'ingest');
      const c = clock();
      const store = TokenStore.forHome(dir, { now: c.now });
      expect(store.verify(t.token)).toBe('ingest');
      await writeTokensFile(homePaths(dir).tokens, { tokens: [] });
      c.advance(500);
      expect(store.verify(t.token)).toBeUndefined();
    });

    it('keeps the previous tokens when the file is garbled', async () => {
      const t = await createToken(dir, 'ingest');
      const c = clock();
      const store = TokenStore.forHome(dir, { now: c.now });
      await writeFile(homePaths(dir).tokens, '{"tokens": [', { mode: 0o600 });
      c.advance(500);
      expect(store.verify(t.token)).toBe('ingest');
    });
  });

  describe('when the first load fails', () => {
    it('throws ERR_INVALID_CONFIG', async () => {
      await writeFile(homePaths(dir).tokens, '{"tokens": {}}');
      expect(() => TokenStore.forHome(dir)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
    });
  });
});

describe('token lifecycle (issue 12: list, revoke, --ttl)', () => {
  it('refuses a revoked token on the very next verify, with the default store', async () => {
    const keep = await createToken(dir, 'admin');
    const t = await createToken(dir, 'ingest');
    const store = TokenStore.forHome(dir);
    expect(store.verify(t.token)).toBe('ingest');
    await revokeToken(dir, t.id);
    expect(store.verify(t.token)).toBeUndefined();
    expect(store.verify(keep.token)).toBe('admin');
  });

  it('refuses a token once its expiry has passed', async () => {
    const c = clock(Date.parse('2026-01-01T00:00:00Z'));
    const { token, entry } = generateToken('auditor', new Date(c.now()), 60_000);
    expect(entry.expires).toBe('2026-01-01T00:01:00.000Z');
    await writeTokensFile(homePaths(dir).tokens, { tokens: [entry] });
    const store = TokenStore.forHome(dir, { now: c.now });
    expect(store.verify(token.token)).toBe('auditor');
    c.advance(59_999);
    expect(store.verify(token.token)).toBe('auditor');
    c.advance(1);
    expect(store.verify(token.token)).toBeUndefined();
  });

  it('lists id, role, created and expires, never the hash', async () => {
    const a = await createToken(dir, 'admin');
    const b = await createToken(dir, 'ingest', { ttlMs: 3_600_000 });
    const list = await listTokens(dir);
    expect(list.map((t) => [t.id, t.role])).toEqual([
      [a.id, 'admin'],
      [b.id, 'ingest'],
    ]);
    expect(list[0]?.expires).toBeNull();
    expect(list[1]?.expires).toBe(b.expires);
    expect(JSON.stringify(list)).not.toContain(hashToken(a.token));
    expect(Object.keys(list[0] ?? {}).sort()).toEqual(['created', 'expires', 'id', 'role']);
  });

  it('revoking an unknown id is ERR_NOT_FOUND and leaves the file as it was', async () => {
    await createToken(dir, 'admin');
    const before = await readFile(homePaths(dir).tokens, 'utf8');
    await expect(revokeToken(dir, 'ffffffffffff')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect(await readFile(homePaths(dir).tokens, 'utf8')).toBe(before);
  });

  it('rejects a tokens.json whose expires is not a date', () => {
    const { entry } = generateToken('admin');
    expect(() => parseTokensFile(JSON.stringify({ tokens: [{ ...entry, expires: 'soon' }] }))).toThrow(/expires/);
  });
});
