/**
 * mirrorTiles against a real node's tile routes (the API harness: a real AuditLog on LevelDB, served with
 * app.inject) — the files it writes are checked with the independent reader of test/helpers/tile-client.ts.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { bufferIo } from '../../cli/output.ts';
import { type MirrorSource, mirrorTiles } from '../../cli/tile-mirror.ts';
import { openCheckpoint, parseVerifierKey } from '../../protocol/note/index.ts';
import { TileClient } from '../helpers/tile-client.ts';
import { decision, startTestNode, type TestNode } from '../node/api/harness.ts';

let node: TestNode;
let out: string;
let key: string;

const source: MirrorSource = {
  async checkpoint() {
    return (await node.app.inject({ url: '/checkpoint' })).body;
  },
  async tile(path) {
    const res = await node.app.inject({ url: `/${path}` });
    if (res.statusCode !== 200) throw new Error(`GET /${path}: ${res.statusCode}`);
    return new Uint8Array(res.rawPayload);
  },
};

async function grow(n: number): Promise<void> {
  for (let done = 0; done < n; done += 1000) {
    const payload = Array.from({ length: Math.min(1000, n - done) }, (_, i) => decision(done + i));
    const res = await node.app.inject({ method: 'POST', url: '/v1/decisions', headers: node.auth('ingest'), payload });
    expect(res.statusCode).toBe(200);
  }
  await node.log.checkpointNow();
}

/** Every file under dir, relative, sorted. */
async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** Checks the mirror in `dir` from its files alone: signature, and the root recomputed from tiles. */
async function verifyMirror(dir: string): Promise<number> {
  const note = await readFile(join(dir, 'checkpoint'), 'utf8');
  const { checkpoint } = openCheckpoint(note, parseVerifierKey(key));
  const client = new TileClient(async (p) => new Uint8Array(await readFile(join(dir, p))), checkpoint.size);
  expect(await client.root()).toEqual(checkpoint.rootHash);
  return checkpoint.size;
}

beforeAll(async () => {
  node = await startTestNode();
  key = node.home.config.verifierKey;
  out = await mkdtemp(join(tmpdir(), 'govfed-mirror-'));
});
afterAll(async () => {
  await node.close();
  await rm(out, { recursive: true, force: true });
});

describe('mirrorTiles', () => {
  describe('when the log is empty', () => {
    it('writes only the checkpoint', async () => {
      const report = await mirrorTiles(source, key, out);
      expect(report.size).toBe(0);
      expect(await files(out)).toEqual(['checkpoint']);
    });
  });

  describe('when the log grows', () => {
    it('writes every tile and bundle of the tree under the served paths, verified', async () => {
      await grow(300);
      const report = await mirrorTiles(source, key, out);
      expect(report).toMatchObject({ size: 300, fetched: 5, reused: 0 });
      expect(await files(out)).toEqual([
        'checkpoint',
        'tile/0/000',
        'tile/0/001.p/44',
        'tile/1/000.p/1',
        'tile/entries/000',
        'tile/entries/001.p/44',
      ]);
      expect(await verifyMirror(out)).toBe(300);
      const served = await source.tile('tile/entries/001.p/44');
      expect(new Uint8Array(await readFile(join(out, 'tile/entries/001.p/44')))).toEqual(served);
    });

    it('reuses the tiles it has on the next run and fetches only what is new', async () => {
      const before = (await stat(join(out, 'tile/0/000'))).mtimeMs;
      await grow(256);
      const report = await mirrorTiles(source, key, out);
      expect(report).toMatchObject({ size: 556, reused: 2 });
      expect((await stat(join(out, 'tile/0/000'))).mtimeMs).toBe(before);
      expect(await verifyMirror(out)).toBe(556);
      // Older partial tiles stay (clients of the older checkpoint may still ask for them).
      expect(await files(out)).toContain('tile/0/001.p/44');
    });
  });

  describe('when the node serves something that does not verify', () => {
    const tampered = (path: string): MirrorSource => ({
      checkpoint: source.checkpoint,
      async tile(p) {
        const bytes = await source.tile(p);
        if (p === path) bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
        return bytes;
      },
    });

    beforeAll(async () => {
      await grow(1); // 557 = 2·256 + 45
    });

    it.each([
      'tile/entries/002.p/45', // an entry that does not hash to its level-0 tile
      'tile/0/002.p/45', // a level-0 hash that does not hash to the root
      'tile/0/001', // a full level-0 tile that does not match the level-1 hash above it
      'tile/1/000.p/2', // a level-1 hash that does not hash to the root
    ])('fails with exit 1 for a tampered %s and keeps nothing', async (path) => {
      const fresh = await mkdtemp(join(tmpdir(), 'govfed-mirror-'));
      try {
        await expect(mirrorTiles(tampered(path), key, fresh)).rejects.toMatchObject({ exitCode: 1 });
        expect(await files(fresh)).toEqual([]);
        // Untampered, the same run succeeds.
        expect((await mirrorTiles(source, key, fresh)).size).toBe(557);
      } finally {
        await rm(fresh, { recursive: true, force: true });
      }
    });

    it('keeps the previous mirror whole when an update does not verify', async () => {
      const before = await files(out);
      await expect(mirrorTiles(tampered('tile/entries/002.p/45'), key, out)).rejects.toMatchObject({ exitCode: 1 });
      expect(await files(out)).toEqual(before);
      expect(await verifyMirror(out)).toBe(556);
    });

    it('fails with exit 1 for a checkpoint signed by another key', async () => {
      const other = await startTestNode();
      try {
        await expect(mirrorTiles(source, other.home.config.verifierKey, out)).rejects.toMatchObject({ exitCode: 1 });
      } finally {
        await other.close();
      }
    });
  });
});

describe('govfed audit mirror', () => {
  it('is a usage error (exit 2) without --out', async () => {
    const io = bufferIo();
    expect(await main(['audit', 'mirror', '--api', '127.0.0.1:1'], io)).toBe(2);
    expect(io.err).toContain('--out');
  });
  it('exits 3 when the node cannot be reached', async () => {
    const io = bufferIo();
    const code = await main(['audit', 'mirror', '--api', '127.0.0.1:1', '--verifier-key', key, '--out', out], io);
    expect(code).toBe(3);
  });
});
