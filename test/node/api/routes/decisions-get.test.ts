import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestRecordBytes } from '../../../../protocol/audit/decision.ts';
import { encodeLeaf } from '../../../../protocol/audit/leaf.ts';
import { canonicalBytes } from '../../../../protocol/canonical/jcs.ts';
import { toBase64 } from '../../../../protocol/encoding/bytes.ts';
import { leafHash } from '../../../../protocol/log/index.ts';
import { startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
let index: number;
let governanceIndex: number;
const input = {
  model: 'triage@2',
  decisionId: 'case-42',
  timestamp: '2024-05-01T12:00:00.5Z',
  inputDigest: `sha256:${'ab'.repeat(32)}`,
  output: { priority: 'high', reasons: ['a', 'b'] },
  jurisdiction: 'DE',
  dataClasses: ['health'],
  context: { ward: 7, nested: { ok: true } },
};

beforeAll(async () => {
  node = await startTestNode();
  const [g] = await node.log.append([
    {
      leaf: encodeLeaf({
        v: 1,
        type: 'governance',
        kind: 'node.init',
        time: '2024-01-01T00:00:00Z',
        digest: `sha256:${'0'.repeat(64)}`,
      }),
    },
  ]);
  governanceIndex = g!.index;
  const res = await node.app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: node.auth('ingest'),
    payload: input,
  });
  index = res.json().entries[0].index;
});
afterAll(async () => {
  await node.close();
});

function get(url: string, role: 'auditor' | 'ingest' | 'admin' = 'auditor') {
  return node.app.inject({ url, headers: node.auth(role) });
}

describe('GET /v1/decisions/:index', () => {
  describe('when an auditor asks for a decision entry', () => {
    it('returns the full record, the leaf and the leaf hash', async () => {
      const res = await get(`/v1/decisions/${index}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(['index', 'leaf', 'leafHash', 'origin', 'record']);
      expect(body.origin).toBe(node.home.config.origin);
      expect(body.index).toBe(index);
      expect(body.record).toEqual({ ...input, nonce: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/) });
      expect(body.leaf).toMatchObject({ type: 'decision', decisionId: 'case-42', outcome: 'structured' });
      expect(body.leafHash).toBe(toBase64(leafHash(await node.log.entry(index))));
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('returns a record whose canonical digest is the leaf’s recordDigest', async () => {
      const body = (await get(`/v1/decisions/${index}`)).json();
      expect(digestRecordBytes(canonicalBytes(body.record))).toBe(body.leaf.recordDigest);
    });

    it('works for an admin token too', async () => {
      expect((await get(`/v1/decisions/${index}`, 'admin')).statusCode).toBe(200);
    });
  });

  describe('when the output is any JSON value', () => {
    it.each([null, 0, false, '', 'é ☃ 𝄞', [1, [2, { a: null }]], { '': { deep: [true] } }])(
      'returns %j exactly as submitted',
      async (output) => {
        const posted = await node.app.inject({
          method: 'POST',
          url: '/v1/decisions',
          headers: { ...node.auth('ingest'), 'content-type': 'application/json' },
          payload: JSON.stringify({ model: 'm', output }),
        });
        const i = posted.json().entries[0].index;
        expect((await get(`/v1/decisions/${i}`)).json().record.output).toEqual(output);
      },
    );
  });

  describe('when the token is not an auditor’s', () => {
    it('answers 403 and does not disclose the record', async () => {
      const res = await get(`/v1/decisions/${index}`, 'ingest');
      expect(res.statusCode).toBe(403);
      expect(res.body).not.toContain('case-42');
    });
  });

  describe('when the entry is not a decision or does not exist', () => {
    it('answers 404 ERR_NOT_FOUND for a governance entry', async () => {
      const res = await get(`/v1/decisions/${governanceIndex}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('ERR_NOT_FOUND');
    });

    it('answers 404 ERR_NOT_FOUND beyond the log', async () => {
      const res = await get('/v1/decisions/1000');
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('ERR_NOT_FOUND');
    });
  });

  describe('when the index is malformed', () => {
    it.each(['-1', '01', 'abc', '1.0', '99999999999999999', '1e3'])('answers 400 for %s', async (bad) => {
      const res = await get(`/v1/decisions/${bad}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('ERR_VALIDATION');
    });

    it('answers 400 for an index above 2^53 - 1', async () => {
      const res = await get('/v1/decisions/9999999999999999');
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('ERR_VALIDATION');
    });
  });
});
