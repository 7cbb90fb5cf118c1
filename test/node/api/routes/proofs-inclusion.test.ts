import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../../../../protocol/encoding/bytes.ts';
import { verifyInclusion } from '../../../../protocol/log/index.ts';
import { openCheckpoint, parseVerifierKey } from '../../../../protocol/note/index.ts';
import { decision, startTestNode, type TestNode } from '../harness.ts';

const N = 13;
let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
  await node.app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: node.auth('ingest'),
    payload: Array.from({ length: N }, (_, i) => decision(i)),
  });
  await node.log.checkpointNow();
});
afterAll(async () => {
  await node.close();
});

function prove(query: string) {
  return node.app.inject({ url: `/v1/log/proofs/inclusion${query}`, headers: node.auth('ingest') });
}

describe('GET /v1/log/proofs/inclusion', () => {
  describe('when treeSize is omitted', () => {
    it('proves every entry against the latest signed checkpoint', async () => {
      const note = (await node.app.inject({ url: '/v1/log/checkpoint', headers: node.auth('ingest') })).body;
      const { checkpoint } = openCheckpoint(note, parseVerifierKey(node.home.config.verifierKey));
      for (let i = 0; i < N; i++) {
        const res = await prove(`?index=${i}`);
        expect(res.statusCode).toBe(200);
        const p = res.json();
        expect(p.index).toBe(i);
        expect(p.treeSize).toBe(checkpoint.size);
        verifyInclusion(i, p.treeSize, fromBase64(p.leafHash), p.proof.map(fromBase64), checkpoint.rootHash);
      }
    });
  });

  describe('when treeSize is given', () => {
    it('proves against that tree', async () => {
      const p = (await prove('?index=2&treeSize=5')).json();
      verifyInclusion(2, 5, fromBase64(p.leafHash), p.proof.map(fromBase64), await node.log.treeHash(5));
    });
  });

  describe('when the parameters are out of range', () => {
    it.each([
      ['?index=13', 'ERR_INDEX_OUT_OF_RANGE'],
      ['?index=5&treeSize=5', 'ERR_INDEX_OUT_OF_RANGE'],
      ['?index=0&treeSize=0', 'ERR_INDEX_OUT_OF_RANGE'],
      ['?index=0&treeSize=14', 'ERR_INVALID_TREE_SIZE'],
      ['?index=0&treeSize=9007199254740991', 'ERR_INVALID_TREE_SIZE'],
    ])('answers 400 for %s with %s', async (q, code) => {
      const res = await prove(q);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe(code);
    });
  });

  describe('when the parameters are malformed', () => {
    it.each([
      '',
      '?treeSize=3',
      '?index=',
      '?index=-1',
      '?index=1.5',
      '?index=0x1',
      '?index=1&index=2',
      '?index=1&x=1',
    ])('answers 400 ERR_VALIDATION for "%s"', async (q) => {
      const res = await prove(q);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('ERR_VALIDATION');
    });
  });
});
