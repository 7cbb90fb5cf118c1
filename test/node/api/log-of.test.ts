import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetiredLog } from '../../../node/log/index.ts';
import { digestRecordBytes } from '../../../protocol/audit/decision.ts';
import { decodeLeaf } from '../../../protocol/audit/leaf.ts';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { fromBase64 } from '../../../protocol/encoding/bytes.ts';
import { leafHash, verifyInclusion } from '../../../protocol/log/index.ts';
import { openCheckpoint, parseVerifierKey } from '../../../protocol/note/index.ts';
import { startTestNode, type TestNode } from './harness.ts';

/**
 * A node that rotated its log key: the decisions recorded before are in a retired log (here: another
 * node's log, closed and opened read-only as RetiredLog does after `keys rotate --log`).
 */
let before: TestNode;
let node: TestNode;
let retired: RetiredLog;
let old: string;
const ids = ['before-0', 'before-1', 'before-2'];

const decision = (decisionId: string) => ({
  model: 'triage@2',
  decisionId,
  timestamp: '2024-05-01T12:00:00Z',
  output: { priority: 'high' },
  dataClasses: ['health'],
});

beforeAll(async () => {
  before = await startTestNode();
  const res = await before.app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: before.auth('ingest'),
    payload: ids.map(decision),
  });
  expect(res.statusCode).toBe(200);
  await before.app.close();
  await before.log.stop(); // signs the final checkpoint
  old = before.home.config.origin;
  retired = await RetiredLog.open(before.home.paths.data, parseVerifierKey(before.home.config.verifierKey));
  node = await startTestNode({ retiredLogs: new Map([[old, retired]]) });
  // As the rotation writes config.json (node/federation/log-rotation.ts): the old log under retiredLogs.
  node.home.config.retiredLogs = [{ origin: old, verifierKey: before.home.config.verifierKey }];
  const now = await node.app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: node.auth('ingest'),
    payload: [decision('after-0')],
  });
  expect(now.statusCode).toBe(200);
});
afterAll(async () => {
  await node.close();
  await retired.close();
  await rm(before.root, { recursive: true, force: true });
});

const get = (url: string) => node.app.inject({ url, headers: node.auth('auditor') });

describe('GET /v1/log/lookup after a log rotation', () => {
  describe('when the decision is in the retired log and no origin is given', () => {
    it('answers 404 naming the retired log and the index (old code: a bare "no entry of this log has it")', async () => {
      const res = await get('/v1/log/lookup?decisionId=before-1');
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('ERR_NOT_FOUND');
      expect(res.json().error.message).toContain(`retired log ${old}`);
      expect(res.json().error.message).toContain(`origin=${old}`);
    });
  });

  describe('when origin names the retired log', () => {
    it('finds it there and says which log the index is in', async () => {
      const res = await get(`/v1/log/lookup?decisionId=before-1&origin=${encodeURIComponent(old)}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ index: 1, origin: old });
      const current = await get('/v1/log/lookup?decisionId=after-0');
      expect(current.json()).toMatchObject({ index: 0, origin: node.home.config.origin });
    });
  });

  describe('when origin names no log of this node', () => {
    it('answers ERR_UNKNOWN_ORIGIN', async () => {
      const res = await get('/v1/log/lookup?decisionId=before-1&origin=govfed/x/00000000');
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('ERR_UNKNOWN_ORIGIN');
    });
  });
});

describe('GET /v1/decisions after a log rotation', () => {
  describe('without origin', () => {
    it('searches the current log and names the retired one as not searched', async () => {
      const res = await get('/v1/decisions');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.origin).toBe(node.home.config.origin);
      expect(body.items.map((i: { decisionId: string }) => i.decisionId)).toEqual(['after-0']);
      expect(body.otherLogs).toEqual([old]);
    });
  });

  describe('with origin naming the retired log', () => {
    it('finds the decisions recorded before the rotation (old code: 400, origin unknown to the route)', async () => {
      const res = await get(`/v1/decisions?origin=${encodeURIComponent(old)}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.origin).toBe(old);
      expect(body.items.map((i: { decisionId: string }) => i.decisionId).sort()).toEqual(ids);
      expect(body.otherLogs).toEqual([node.home.config.origin]);
    });
  });
});

describe('GET /v1/decisions/{index} after a log rotation', () => {
  it('serves the record of a retired log entry with origin, the current log’s without', async () => {
    const res = await get(`/v1/decisions/2?origin=${encodeURIComponent(old)}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ origin: old, index: 2, record: { decisionId: 'before-2' } });
    const current = await get('/v1/decisions/0');
    expect(current.json()).toMatchObject({ origin: node.home.config.origin, record: { decisionId: 'after-0' } });
  });
});

describe('GET /v1/decisions/proofs after a log rotation', () => {
  const proofs = (query: string) => get(`/v1/decisions/proofs?${query}`);

  describe('without origin', () => {
    it('proves from the current log and names the retired one as not read', async () => {
      const res = await proofs(`treeSize=${node.log.size}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.origin).toBe(node.home.config.origin);
      expect(body.items.map((i: { record: { decisionId: string } }) => i.record.decisionId)).toEqual(['after-0']);
      expect(body.otherLogs).toEqual([old]);
    });

    it("bounds treeSize by the current log's size, not the retired one's", async () => {
      expect(retired.size).toBeGreaterThan(node.log.size);
      const res = await proofs(`treeSize=${retired.size}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('ERR_INVALID_TREE_SIZE');
    });
  });

  describe('with origin naming the retired log', () => {
    it('proves the decisions recorded before the rotation against its final checkpoint (old code: 400)', async () => {
      const note = await get(`/v1/log/checkpoint?origin=${encodeURIComponent(old)}`);
      expect(note.statusCode).toBe(200);
      const { checkpoint } = openCheckpoint(note.body, parseVerifierKey(before.home.config.verifierKey));
      expect(checkpoint).toMatchObject({ origin: old, size: retired.size });
      const res = await proofs(`treeSize=${checkpoint.size}&origin=${encodeURIComponent(old)}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ origin: old, treeSize: checkpoint.size, otherLogs: [node.home.config.origin] });
      expect(body.items.map((i: { record: { decisionId: string } }) => i.record.decisionId).sort()).toEqual(ids);
      for (const item of body.items) {
        const entry = fromBase64(item.entry);
        verifyInclusion(item.index, checkpoint.size, leafHash(entry), item.proof.map(fromBase64), checkpoint.rootHash);
        const leaf = decodeLeaf(entry);
        expect(leaf.type === 'decision' && leaf.recordDigest).toBe(digestRecordBytes(canonicalBytes(item.record)));
      }
    });

    it("bounds treeSize by the retired log's final checkpoint", async () => {
      const res = await proofs(`treeSize=${retired.size + 1}&origin=${encodeURIComponent(old)}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('ERR_INVALID_TREE_SIZE');
    });
  });

  describe('when origin names no log of this node', () => {
    it('answers ERR_UNKNOWN_ORIGIN, for the proofs and the checkpoint', async () => {
      for (const url of [
        '/v1/decisions/proofs?treeSize=1&origin=govfed/x/00000000',
        '/v1/log/checkpoint?origin=govfed/x/00000000',
      ]) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(400);
        expect(res.json().error.code, url).toBe('ERR_UNKNOWN_ORIGIN');
      }
    });
  });
});

describe('GET /v1/log/checkpoint and GET /v1/node after a log rotation', () => {
  it('serve the current log without origin, and list the retired log with its key', async () => {
    const note = await get('/v1/log/checkpoint');
    expect(openCheckpoint(note.body, parseVerifierKey(node.home.config.verifierKey)).checkpoint.origin).toBe(
      node.home.config.origin,
    );
    const info = (await get('/v1/node')).json();
    expect(info.retiredLogs).toEqual([{ origin: old, verifierKey: before.home.config.verifierKey }]);
  });
});
