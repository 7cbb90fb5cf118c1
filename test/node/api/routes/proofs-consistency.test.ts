import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../../../../protocol/encoding/bytes.ts';
import { verifyConsistency } from '../../../../protocol/log/index.ts';
import { openCheckpoint, parseVerifierKey } from '../../../../protocol/note/index.ts';
import { decision, startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
const notes: string[] = [];
beforeAll(async () => {
  node = await startTestNode();
  for (const n of [3, 4, 9]) {
    await node.app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: node.auth('ingest'),
      payload: Array.from({ length: n }, (_, i) => decision(i)),
    });
    notes.push((await node.log.checkpointNow()).note);
  }
});
afterAll(async () => {
  await node.close();
});

function prove(query: string) {
  return node.app.inject({ url: `/v1/log/proofs/consistency${query}`, headers: node.auth('auditor') });
}

describe('GET /v1/log/proofs/consistency', () => {
  describe('when asked between two signed checkpoints', () => {
    it('returns a proof that verifies between their roots', async () => {
      const v = parseVerifierKey(node.home.config.verifierKey);
      const cps = notes.map((n) => openCheckpoint(n, v).checkpoint);
      for (const [a, b] of [
        [0, 1],
        [0, 2],
        [1, 2],
      ] as const) {
        const from = cps[a]!;
        const to = cps[b]!;
        const res = await prove(`?from=${from.size}&to=${to.size}`);
        expect(res.statusCode).toBe(200);
        const p = res.json();
        expect(p).toMatchObject({ from: from.size, to: to.size });
        verifyConsistency(from.size, to.size, p.proof.map(fromBase64), from.rootHash, to.rootHash);
      }
    });
  });

  describe('when `to` is omitted', () => {
    it('uses the latest checkpoint size', async () => {
      const p = (await prove('?from=3')).json();
      expect(p.to).toBe(16);
    });
  });

  describe('when the sizes are out of range', () => {
    it.each(['?from=5&to=4', '?from=0&to=17', '?from=17'])('answers 400 ERR_INVALID_TREE_SIZE for %s', async (q) => {
      const res = await prove(q);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('ERR_INVALID_TREE_SIZE');
    });
  });

  describe('when the parameters are malformed', () => {
    it.each(['', '?to=3', '?from=01', '?from=a&to=3', '?from=1&to=3&extra=1'])(
      'answers 400 ERR_VALIDATION for "%s"',
      async (q) => {
        const res = await prove(q);
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe('ERR_VALIDATION');
      },
    );
  });
});
