import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeafVerdict, sealDecision } from '../../../../protocol/audit/decision.ts';
import { encodeLeaf } from '../../../../protocol/audit/leaf.ts';
import { startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;

/** Appends one sealed decision with this model, time and verdict; returns its index. */
async function add(model: string, timestamp: string, verdict?: LeafVerdict, decisionId?: string): Promise<number> {
  const s = sealDecision(
    { model, timestamp, output: 'ok', ...(decisionId === undefined ? {} : { decisionId }) },
    {
      now: new Date(),
      random: (n) => randomBytes(n),
      ...(verdict === undefined ? {} : { policyVersion: 1, verdict }),
    },
  );
  const [a] = await node.log.append([{ leaf: s.leafBytes, record: s.recordBytes }]);
  return a!.index;
}

const denied = (...deny: string[]): LeafVerdict => ({ verdict: 'denied', deny });
const allowed: LeafVerdict = { verdict: 'allowed' };
const idx: Record<string, number> = {};

beforeAll(async () => {
  node = await startTestNode();
  await node.log.append([
    {
      leaf: encodeLeaf({
        v: 1,
        type: 'governance',
        kind: 'node.init',
        time: '2026-01-01T00:00:00Z',
        digest: `sha256:${'0'.repeat(64)}`,
      }),
    },
  ]);
  idx.a1 = await add('scorer/v1', '2026-01-01T10:00:00Z', allowed, 'a1');
  idx.a2 = await add('scorer/v1', '2026-01-02T10:00:00.5Z', denied('pii-export'), 'a2');
  idx.b1 = await add('triage', '2026-01-03T10:00:00Z', denied('local:night', 'pii-export'), 'b1');
  idx.b2 = await add('triage', '2026-01-01T12:00:00Z', allowed, 'b2'); // recorded later, older time
  idx.c1 = await add('triage', '2026-01-04T00:00:00Z', undefined, 'c1');
});
afterAll(async () => {
  await node.close();
});

async function list(query: string, role: 'auditor' | 'ingest' | 'admin' = 'auditor') {
  return await node.app.inject({ url: `/v1/decisions${query}`, headers: node.auth(role) });
}

async function ids(query: string): Promise<string[]> {
  const res = await list(query);
  expect(res.statusCode).toBe(200);
  return res.json().items.map((i: { decisionId: string }) => i.decisionId);
}

describe('GET /v1/decisions', () => {
  describe('when an auditor searches without filters', () => {
    it('lists every decision, newest decision time first, and no governance entry', async () => {
      expect(await ids('')).toEqual(['c1', 'b1', 'a2', 'b2', 'a1']);
    });

    it('gives each item its index, leaf hash, id, model, time, verdict, flags and leaf', async () => {
      const item = (await list('?model=triage&verdict=denied')).json().items[0];
      expect(item).toMatchObject({
        index: idx.b1,
        decisionId: 'b1',
        model: 'triage',
        time: '2026-01-03T10:00:00Z',
        verdict: 'denied',
        flags: ['local:night', 'pii-export'],
        leaf: { type: 'decision', decisionId: 'b1' },
      });
      const entry = await node.log.entry(idx.b1!);
      const { leafHash } = await import('../../../../protocol/log/index.ts');
      const { toBase64 } = await import('../../../../protocol/encoding/bytes.ts');
      expect(item.leafHash).toBe(toBase64(leafHash(entry)));
    });
  });

  describe('when filters are given', () => {
    it('narrows by model (a model name with a slash)', async () => {
      expect(await ids('?model=scorer%2Fv1')).toEqual(['a2', 'a1']);
    });
    it('narrows by verdict', async () => {
      expect(await ids('?verdict=denied')).toEqual(['b1', 'a2']);
      expect(await ids('?verdict=allowed')).toEqual(['b2', 'a1']);
    });
    it('narrows by flag, alone and with a model', async () => {
      expect(await ids('?flag=pii-export')).toEqual(['b1', 'a2']);
      expect(await ids('?flag=local:night')).toEqual(['b1']);
      expect(await ids('?flag=pii-export&model=scorer%2Fv1')).toEqual(['a2']);
    });
    it('narrows by time: since inclusive, until exclusive, at millisecond precision', async () => {
      expect(await ids('?since=2026-01-02T10:00:00.5Z')).toEqual(['c1', 'b1', 'a2']);
      expect(await ids('?until=2026-01-02T10:00:00.5Z')).toEqual(['b2', 'a1']);
      expect(await ids('?since=2026-01-01T11:00:00%2B01:00&until=2026-01-03T00:00:00Z')).toEqual(['a2', 'b2', 'a1']);
    });
    it('takes a duration before now', async () => {
      expect(await ids('?since=1d')).toEqual([]);
      expect(await ids('?until=1d')).toEqual(['c1', 'b1', 'a2', 'b2', 'a1']);
    });
  });

  describe('when the answer has more than one page', () => {
    it('pages with the opaque cursor until there is no next', async () => {
      const seen: string[] = [];
      let cursor = '';
      for (let n = 0; n < 10; n++) {
        const body = (await list(`?limit=2${cursor}`)).json();
        seen.push(...body.items.map((i: { decisionId: string }) => i.decisionId));
        if (body.next === undefined) break;
        expect(body.items).toHaveLength(2);
        cursor = `&cursor=${body.next}`;
      }
      expect(seen).toEqual(['c1', 'b1', 'a2', 'b2', 'a1']);
    });
    it('gives no next when the last page is exactly full', async () => {
      const body = (await list('?verdict=denied&limit=2')).json();
      expect(body.items).toHaveLength(2);
      expect(body.next).toBeUndefined();
    });
  });

  describe('when the input is bad', () => {
    it.each([
      ['?cursor=bm90LWEtY3Vyc29y', 'ERR_INVALID_CURSOR'],
      ['?cursor=ZDEuMjAyNi0wMS0wMlQxMDowMDowMC41MDAuMDAwMDAwMDAwMDAwMDAy', 'ERR_INVALID_CURSOR'],
      ['?cursor=a%2Bb', 'ERR_VALIDATION'],
      ['?verdict=maybe', 'ERR_VALIDATION'],
      ['?limit=0', 'ERR_VALIDATION'],
      ['?limit=1001', 'ERR_VALIDATION'],
      ['?limit=100001', 'ERR_VALIDATION'],
      ['?since=yesterday', 'ERR_VALIDATION'],
      ['?since=2026-02-30T00:00:00Z', 'ERR_VALIDATION'],
      ['?since=2026-01-03T00:00:00Z&until=2026-01-02T00:00:00Z', 'ERR_VALIDATION'],
      ['?since=2026-01-03T00:00:00Z&until=2026-01-03T00:00:00Z', 'ERR_VALIDATION'],
      ['?flag=Not%20A%20Flag', 'ERR_VALIDATION'],
      ['?colour=red', 'ERR_VALIDATION'],
    ])('%s → 400 %s', async (q, code) => {
      const res = await list(q);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe(code);
    });

    it('says what since and until take, not the regular expression that checks them', async () => {
      const res = await list('?until=yesterday');
      expect(res.json().error.message).toBe(
        'querystring/until must be an RFC 3339 time (years 0000..9999) or a duration before now (30s, 15m, 12h, 7d)',
      );
      // other patterns are short enough to show as they are
      expect((await list('?limit=0')).json().error.message).toBe(
        'querystring/limit must match pattern "^[1-9][0-9]{0,3}$"',
      );
    });

    it('refuses an ingest token (auditor role)', async () => {
      expect((await list('', 'ingest')).statusCode).toBe(403);
    });
  });

  describe('GET /v1/decisions/{index} still answers beside the collection', () => {
    it('returns the record of a listed item', async () => {
      const res = await node.app.inject({ url: `/v1/decisions/${idx.a2}`, headers: node.auth('auditor') });
      expect(res.statusCode).toBe(200);
      expect(res.json().record.decisionId).toBe('a2');
    });
  });
});
