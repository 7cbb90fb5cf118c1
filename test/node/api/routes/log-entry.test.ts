import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLeaf } from '../../../../protocol/audit/leaf.ts';
import { toBase64 } from '../../../../protocol/encoding/bytes.ts';
import { leafHash } from '../../../../protocol/log/index.ts';
import { decision, startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
let hashes: string[];
beforeAll(async () => {
  node = await startTestNode();
  const res = await node.app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: node.auth('ingest'),
    payload: [decision(0), decision(1), decision(2)],
  });
  hashes = res.json().entries.map((e: { leafHash: string }) => e.leafHash);
});
afterAll(async () => {
  await node.close();
});

describe('GET /v1/log/entries/:index', () => {
  describe('when the entry exists', () => {
    it('returns the exact leaf bytes, whose RFC 6962 hash is the acknowledged leaf hash', async () => {
      for (let i = 0; i < 3; i++) {
        const res = await node.app.inject({ url: `/v1/log/entries/${i}`, headers: node.auth('ingest') });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('application/octet-stream');
        const bytes = new Uint8Array(res.rawPayload);
        expect(toBase64(leafHash(bytes))).toBe(hashes[i]);
        expect(decodeLeaf(bytes).type).toBe('decision');
      }
    });
  });

  describe('when the index is at or beyond the log size', () => {
    it('answers 404 ERR_NOT_FOUND', async () => {
      const res = await node.app.inject({ url: '/v1/log/entries/3', headers: node.auth('auditor') });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('ERR_NOT_FOUND');
    });
  });

  describe('when the index is malformed', () => {
    it.each(['-1', '00', 'x', '%20', '1%00'])('answers 400 for %s', async (bad) => {
      const res = await node.app.inject({ url: `/v1/log/entries/${bad}`, headers: node.auth('auditor') });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toMatch(/^ERR_(VALIDATION|BAD_REQUEST)$/);
    });

    it('answers 400 ERR_BAD_REQUEST for a broken %-escape', async () => {
      const res = await node.app.inject({ url: '/v1/log/entries/%zz', headers: node.auth('auditor') });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('ERR_BAD_REQUEST');
    });
  });

  describe('when there is no token', () => {
    it('answers 401', async () => {
      expect((await node.app.inject({ url: '/v1/log/entries/0' })).statusCode).toBe(401);
    });
  });
});
