import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leafHash } from '../../../../protocol/log/index.ts';
import { decodeEntryBundle, decodeHashTile } from '../../../../protocol/log/tiles.ts';
import { decision, startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node.close();
});

const get = (url: string, headers: Record<string, string> = {}) => node.app.inject({ url, headers });

async function ingest(n: number): Promise<void> {
  const payload = Array.from({ length: n }, (_, i) => decision(i));
  const res = await node.app.inject({ method: 'POST', url: '/v1/decisions', headers: node.auth('ingest'), payload });
  expect(res.statusCode).toBe(200);
}

describe('GET /checkpoint', () => {
  it('serves the note of GET /v1/log/checkpoint without a token, uncached', async () => {
    const res = await get('/checkpoint');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    const v1 = await get('/v1/log/checkpoint', node.auth('auditor'));
    expect(res.body).toBe(v1.body);
    expect(res.body).toBe(node.log.checkpoint().note);
  });
});

describe('GET /tile/*', () => {
  describe('when the log is empty', () => {
    it('has no tiles (404)', async () => {
      for (const url of ['/tile/0/000.p/1', '/tile/entries/000.p/1', '/tile/1/000.p/1']) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(404);
        expect(res.json().error.code).toBe('ERR_NOT_FOUND');
      }
    });
  });

  describe('when entries are committed but not yet in a checkpoint', () => {
    it('answers 404 until a checkpoint covers them, then serves them', async () => {
      await ingest(300);
      expect((await get('/tile/0/000')).statusCode).toBe(404);
      await node.log.checkpointNow();
      expect((await get('/tile/0/000')).statusCode).toBe(200);
    });
  });

  describe('when the tile is in the tree of the latest checkpoint', () => {
    it('serves hash tiles as concatenated RFC 6962 hashes, immutable, without a token', async () => {
      const res = await get('/tile/0/001.p/44');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const hashes = decodeHashTile(new Uint8Array(res.rawPayload), 44);
      const entry = await node.log.entry(256 + 43);
      expect(hashes[43]).toEqual(leafHash(entry));
      const full = await get('/tile/0/000');
      expect(full.rawPayload).toHaveLength(8192);
      expect(full.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    });

    it('serves partial tiles of earlier sizes too (a client of an older checkpoint needs them)', async () => {
      const res = await get('/tile/0/001.p/10');
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload).toHaveLength(320);
    });

    it('serves entry bundles holding the exact bytes of /v1/log/entries/{i}', async () => {
      const res = await get('/tile/entries/001.p/44');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      const entries = decodeEntryBundle(new Uint8Array(res.rawPayload), 44);
      for (const i of [0, 17, 43]) {
        const one = await get(`/v1/log/entries/${256 + i}`, node.auth('auditor'));
        expect(entries[i]).toEqual(new Uint8Array(one.rawPayload));
      }
    });

    it('gzips entry bundles for clients that accept gzip', async () => {
      const res = await get('/tile/entries/000', { 'accept-encoding': 'gzip, identity' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.headers.vary).toBe('Accept-Encoding');
      const plain = await get('/tile/entries/000');
      expect(new Uint8Array(gunzipSync(res.rawPayload))).toEqual(new Uint8Array(plain.rawPayload));
      const refused = await get('/tile/entries/000', { 'accept-encoding': 'gzip;q=0' });
      expect(refused.headers['content-encoding']).toBeUndefined();
    });
  });

  describe('when the tile lies beyond the tree', () => {
    it.each([
      '/tile/0/001', // 512 > 300
      '/tile/0/001.p/45',
      '/tile/entries/001.p/45',
      '/tile/1/000.p/2',
      '/tile/2/000.p/1',
      '/tile/7/000.p/1',
      '/tile/63/x999/x999/999',
    ])('answers 404 for %s', async (url) => {
      const res = await get(url);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('ERR_NOT_FOUND');
    });
  });

  describe('when the path is malformed', () => {
    it.each([
      '/tile/00/000',
      '/tile/64/000',
      '/tile/0/0',
      '/tile/0/x000/001',
      '/tile/0/000.p/0',
      '/tile/0/000.p/256',
      '/tile/0/000.p/',
      '/tile/entries/0/000',
      '/tile/0/%2e%2e/000',
      '/tile/0/000%00',
      `/tile/0/${'x001/'.repeat(30)}001`,
    ])('answers 400 for %s', async (url) => {
      const res = await get(url);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toMatch(/^ERR_(INVALID_INPUT|VALIDATION|BAD_REQUEST)$/);
    });
    it('answers 400 for a query string', async () => {
      expect((await get('/tile/0/000?x=1')).statusCode).toBe(400);
    });
    it('answers 404 for the bare /tile/ prefix', async () => {
      expect([400, 404]).toContain((await get('/tile/')).statusCode);
    });
  });
});
