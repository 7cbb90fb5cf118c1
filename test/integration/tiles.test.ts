/**
 * The log as C2SP tlog-tiles, against a real daemon over real HTTP: at tree sizes 1 (a new node's log
 * holds its node.init entry), 255, 256, 257 and 65,537 (size 0 is in test/node/api/routes/tiles-get.test.ts) a client with no token and no govfed code beyond the checkpoint verifier (test/helpers/
 * tile-client.ts, written from the spec) fetches /checkpoint and the tiles, recomputes the signed root
 * and inclusion proofs from tiles alone, reads entries from entry bundles, and checks that full tiles
 * never change as the log grows.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyInclusion } from '../../protocol/log/index.ts';
import { type Checkpoint, openCheckpoint, parseVerifierKey } from '../../protocol/note/index.ts';
import { removeDir, runCliJson } from '../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../helpers/daemon.ts';
import { getBytes, makeRecords, postDecisions } from '../helpers/records.ts';
import { indexPath, leafHashOf, splitBundle, TileClient } from '../helpers/tile-client.ts';

let node: TestNode;
let daemon: DaemonProcess;
let size = 0;
const fullTiles = new Map<string, Uint8Array>();

beforeAll(async () => {
  node = await initNode('tiles');
  daemon = await DaemonProcess.start(node.home);
});

afterAll(async () => {
  await killAllDaemons();
  if (node !== undefined) await removeDir(node.tmp);
});

/** GET without a token. */
async function getPublic(path: string): Promise<Response> {
  return fetch(`${daemon.url}/${path}`);
}

async function tileBytes(path: string): Promise<Uint8Array> {
  const res = await getPublic(path);
  if (res.status !== 200) throw new Error(`GET /${path}: ${res.status} ${await res.text()}`);
  return new Uint8Array(await res.arrayBuffer());
}

interface MirrorReport {
  size: number;
  rootHash: string;
  fetched: number;
  reused: number;
  out: string;
}

/** `govfed audit mirror --home HOME --out DIR`, then the mirror checked from its files alone. */
async function mirrorAndVerify(): Promise<MirrorReport> {
  const out = path.join(node.tmp, 'mirror');
  const report = await runCliJson<MirrorReport>(['audit', 'mirror', '--home', node.home, '--out', out], {
    timeoutMs: 120_000,
  });
  expect(report.size).toBe(size);
  const note = await readFile(path.join(out, 'checkpoint'), 'utf8');
  expect(note).toBe(await (await getPublic('checkpoint')).text());
  const cp = openCheckpoint(note, parseVerifierKey(node.init.verifierKey)).checkpoint;
  const fromFiles = new TileClient(async (p) => new Uint8Array(await readFile(path.join(out, p))), cp.size);
  expect(await fromFiles.root()).toEqual(cp.rootHash);
  const last = cp.size - 1;
  const proof = await fromFiles.inclusionPath(last);
  const entry = await getBytes(`${daemon.url}/v1/log/entries/${last}`, node.adminToken);
  verifyInclusion(last, cp.size, leafHashOf(entry), proof, cp.rootHash);
  return report;
}

/** Appends decisions until the log has `target` entries, then has the node sign a checkpoint. */
async function growTo(target: number): Promise<void> {
  while (size < target) {
    const n = Math.min(10_000, target - size);
    await postDecisions(daemon.url, node.adminToken, makeRecords(n, `d${size}`));
    size += n;
  }
  const res = await daemon.fetch('/v1/log/checkpoint', { method: 'POST', token: node.adminToken });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

/** GET /checkpoint (no token), verified with the verifier key govfed init printed. */
async function publicCheckpoint(): Promise<Checkpoint> {
  const res = await getPublic('checkpoint');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe('no-cache');
  return openCheckpoint(await res.text(), parseVerifierKey(node.init.verifierKey)).checkpoint;
}

/** Everything a tile client checks at the current size; returns the client. */
async function verifyFromTiles(probe: readonly number[]): Promise<TileClient> {
  const cp = await publicCheckpoint();
  expect(cp.size).toBe(size);
  const client = new TileClient(tileBytes, cp.size);
  expect(await client.root()).toEqual(cp.rootHash);
  for (const m of probe) {
    const bundleN = Math.floor(m / 256);
    const width = Math.min(256, cp.size - bundleN * 256);
    const path = `tile/entries/${indexPath(bundleN)}${width === 256 ? '' : `.p/${width}`}`;
    const entries = splitBundle(await tileBytes(path));
    expect(entries).toHaveLength(width);
    const entry = entries[m % 256] as Uint8Array;
    // The exact bytes /v1/log/entries/{i} serves, and the leaf hash the level-0 tile holds.
    expect(entry).toEqual(await getBytes(`${daemon.url}/v1/log/entries/${m}`, node.adminToken));
    expect(leafHashOf(entry)).toEqual(await client.tileHash(0, m));
    const proof = await client.inclusionPath(m);
    verifyInclusion(m, cp.size, leafHashOf(entry), proof, cp.rootHash);
  }
  return client;
}

async function expectStatus(path: string, status: number): Promise<void> {
  const res = await getPublic(path);
  await res.arrayBuffer();
  expect(res.status, path).toBe(status);
}

describe('the log as tlog-tiles', () => {
  describe('when the log has 1, 255, 256 and 257 entries', () => {
    it('size 1 (the node.init entry): one partial tile of width 1 and its entry bundle', async () => {
      size = (await publicCheckpoint()).size;
      expect(size).toBe(1);
      const client = await verifyFromTiles([0]);
      expect(client.fetched).toEqual(['tile/0/000.p/1']);
      await expectStatus('tile/0/000.p/2', 404);
    });

    it('size 255: a partial tile of width 255, no full tile yet', async () => {
      await growTo(255);
      const client = await verifyFromTiles([0, 128, 254]);
      expect(client.fetched).toEqual(['tile/0/000.p/255']);
      await expectStatus('tile/0/000', 404);
      await expectStatus('tile/1/000.p/1', 404);
    });

    it('size 256: the first full tile and bundle, immutable, and a level-1 tile of width 1', async () => {
      await growTo(256);
      const client = await verifyFromTiles([0, 255]);
      expect(client.fetched[0]).toBe('tile/1/000.p/1'); // the root is that one hash (fetched first)
      for (const path of ['tile/0/000', 'tile/entries/000']) {
        const res = await getPublic(path);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/octet-stream');
        expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
        fullTiles.set(path, new Uint8Array(await res.arrayBuffer()));
      }
      expect(fullTiles.get('tile/0/000')).toHaveLength(8192);
      // Older partial tiles stay available for clients of older checkpoints.
      expect(await tileBytes('tile/0/000.p/255')).toEqual(fullTiles.get('tile/0/000')?.slice(0, 255 * 32));
    });

    it('size 257: a second level-0 tile of width 1; nothing past the tree', async () => {
      await growTo(257);
      await verifyFromTiles([0, 255, 256]);
      for (const path of ['tile/0/001', 'tile/0/001.p/2', 'tile/entries/001.p/2', 'tile/1/000.p/2', 'tile/2/000.p/1']) {
        await expectStatus(path, 404);
      }
      for (const path of ['tile/00/000', 'tile/0/1', 'tile/0/000.p/256', 'tile/entries/0/000']) {
        await expectStatus(path, 400);
      }
    });
  });

  describe('when mirrored with govfed audit mirror', () => {
    it('writes a static copy that verifies from its files alone', async () => {
      const report = await mirrorAndVerify();
      expect(report).toMatchObject({ size: 257, reused: 0 });
    });
  });

  describe('when the log has 65,537 entries', () => {
    it('recomputes the root and inclusion proofs from tiles of three levels; full tiles did not change', async () => {
      await growTo(65_537);
      const client = await verifyFromTiles([0, 256, 40_000, 65_535, 65_536]);
      expect(client.fetched).toEqual(expect.arrayContaining(['tile/2/000.p/1', 'tile/0/256.p/1']));
      for (const [path, bytes] of fullTiles) expect(await tileBytes(path), path).toEqual(bytes);
      const level1 = await tileBytes('tile/1/000');
      expect(level1).toHaveLength(8192);
      // Hash 255 of level-1 tile 0 is the root of entries [65280, 65536): rebuilt from level 0.
      expect(level1.slice(255 * 32)).toEqual(await client.mth(65_280, 65_536));
      // Entry bundles are gzipped when asked for (fetch decodes them).
      const gz = await fetch(`${daemon.url}/tile/entries/x000/100`, { headers: { 'accept-encoding': 'gzip' } });
      expect(gz.status).toBe(400); // not the canonical spelling of 100
      const res = await fetch(`${daemon.url}/tile/entries/100`, { headers: { 'accept-encoding': 'gzip' } });
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect(splitBundle(new Uint8Array(await res.arrayBuffer()))).toHaveLength(256);
    }, 180_000);

    it('govfed audit mirror fetches only the new tiles and the copy still verifies', async () => {
      const report = await mirrorAndVerify();
      expect(report.size).toBe(65_537);
      expect(report.reused).toBe(2); // tile/0/000 and tile/entries/000, mirrored at size 257
      expect(report.fetched).toBeGreaterThan(500);
    }, 180_000);
  });
});
