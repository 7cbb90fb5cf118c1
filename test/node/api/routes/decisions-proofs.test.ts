import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestRecordBytes } from '../../../../protocol/audit/decision.ts';
import { decodeLeaf } from '../../../../protocol/audit/leaf.ts';
import { canonicalBytes } from '../../../../protocol/canonical/jcs.ts';
import { fromBase64 } from '../../../../protocol/encoding/bytes.ts';
import { leafHash, verifyInclusion } from '../../../../protocol/log/index.ts';
import { startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;

beforeAll(async () => {
  node = await startTestNode();
  const records = Array.from({ length: 6 }, (_, i) => ({
    model: i < 4 ? 'scorer' : 'triage',
    decisionId: `p-${i}`,
    timestamp: `2026-02-0${i + 1}T00:00:00Z`,
    output: { i },
  }));
  const res = await node.app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: node.auth('ingest'),
    payload: records,
  });
  expect(res.statusCode).toBe(200);
});
afterAll(async () => {
  await node.close();
});

async function proofs(query: string) {
  return await node.app.inject({ url: `/v1/decisions/proofs${query}`, headers: node.auth('auditor') });
}

describe('GET /v1/decisions/proofs', () => {
  describe('when an auditor asks at a tree size', () => {
    it('gives each matching decision its record, leaf bytes and a proof that verifies against that tree', async () => {
      const size = node.log.size;
      const res = await proofs(`?treeSize=${size}&model=scorer`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.treeSize).toBe(size);
      expect(body.items.map((i: { record: { decisionId: string } }) => i.record.decisionId)).toEqual([
        'p-3',
        'p-2',
        'p-1',
        'p-0',
      ]);
      const root = await node.log.treeHash(size);
      for (const item of body.items) {
        const entry = fromBase64(item.entry);
        verifyInclusion(item.index, size, leafHash(entry), item.proof.map(fromBase64), root);
        const leaf = decodeLeaf(entry);
        expect(leaf.type === 'decision' && leaf.recordDigest).toBe(digestRecordBytes(canonicalBytes(item.record)));
      }
    });

    it('leaves out decisions at or beyond the tree size', async () => {
      const size = node.log.size;
      const body = (await proofs(`?treeSize=${size - 1}`)).json();
      expect(body.items.map((i: { index: number }) => i.index)).not.toContain(size - 1);
      expect(body.items).toHaveLength(5);
    });

    it('pages with the cursor', async () => {
      const size = node.log.size;
      const first = (await proofs(`?treeSize=${size}&limit=4`)).json();
      expect(first.items).toHaveLength(4);
      const second = (await proofs(`?treeSize=${size}&limit=4&cursor=${first.next}`)).json();
      expect(second.items).toHaveLength(2);
      expect(second.next).toBeUndefined();
    });
  });

  describe('when the input is bad', () => {
    it.each([
      ['', 400, 'ERR_VALIDATION'],
      ['?treeSize=0', 400, 'ERR_INVALID_TREE_SIZE'],
      ['?treeSize=999999', 400, 'ERR_INVALID_TREE_SIZE'],
      ['?treeSize=1&cursor=bm9wZQ', 400, 'ERR_INVALID_CURSOR'],
      ['?treeSize=1&verdict=perhaps', 400, 'ERR_VALIDATION'],
    ])('%s → %i %s', async (q, status, code) => {
      const res = await proofs(q);
      expect(res.statusCode).toBe(status);
      expect(res.json().error.code).toBe(code);
    });

    it('refuses an ingest token', async () => {
      const res = await node.app.inject({ url: '/v1/decisions/proofs?treeSize=1', headers: node.auth('ingest') });
      expect(res.statusCode).toBe(403);
    });
  });
});
