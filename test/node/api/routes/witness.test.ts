/**
 * The witness routes — POST /v1/witness/add-checkpoint, GET/PUT /v1/witness/logs — and the cross-org
 * proof routes (GET /v1/proofs/inclusion, /v1/proofs/consistency), on a node running a real
 * WitnessService outside any federation (a federation's cross-org proofs: test/node/witness/prover.test.ts
 * and test/integration/witness.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../../../protocol/encoding/bytes.ts';
import { proveConsistency } from '../../../../protocol/log/index.ts';
import { openCheckpoint } from '../../../../protocol/note/index.ts';
import { parseLogKey, parseWitnessKey } from '../../../../protocol/witness/keys.ts';
import { formatAddCheckpoint, MAX_ADD_CHECKPOINT_BYTES } from '../../../../protocol/witness/request.ts';
import { buildLog, checkpointOf, logKey, logName } from '../../../protocol/witness/fixtures.ts';
import { startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
let bare: TestNode;
beforeAll(async () => {
  node = await startTestNode({ witness: true });
  bare = await startTestNode();
});
afterAll(async () => {
  await node.close();
  await bare.close();
});

const ext = buildLog(12);
const fork = buildLog(12, 6);
const addCheckpoint = (body: string | Uint8Array, contentType = 'text/plain') =>
  node.app.inject({
    method: 'POST',
    url: '/v1/witness/add-checkpoint',
    headers: { 'content-type': contentType },
    payload: typeof body === 'string' ? body : Buffer.from(body),
  });
const req = async (oldSize: number, size: number, log = ext) =>
  formatAddCheckpoint({
    oldSize,
    proof: oldSize === 0 ? [] : await proveConsistency(oldSize, size, log.tree),
    note: checkpointOf(5, log, size),
  });

describe('PUT and GET /v1/witness/logs', () => {
  describe('when the admin lists a log outside the federation', () => {
    it('stores it (sorted, once) and any token reads it back', async () => {
      const put = await node.app.inject({
        method: 'PUT',
        url: '/v1/witness/logs',
        headers: node.auth('admin'),
        payload: { logs: [logKey(5), logKey(5)] },
      });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toEqual({ logs: [logKey(5)] });
      const get = await node.app.inject({ url: '/v1/witness/logs', headers: node.auth('auditor') });
      expect(get.json()).toEqual({ logs: [logKey(5)] });
    });
  });

  describe('when the caller is not admin, or the body is not a list of log keys', () => {
    it('is 401/403/400 with a code and changes nothing', async () => {
      const put = (headers: Record<string, string>, payload: unknown) =>
        node.app.inject({ method: 'PUT', url: '/v1/witness/logs', headers, payload: payload as object });
      expect((await put({}, { logs: [] })).statusCode).toBe(401);
      expect((await put(node.auth('auditor'), { logs: [] })).json().error.code).toBe('ERR_FORBIDDEN');
      const notKey = await put(node.auth('admin'), { logs: ['govfed/x/log+00000000+AAAA'] });
      expect(notKey.statusCode).toBe(400);
      expect(notKey.json().error.code).toBe('ERR_MALFORMED_VERIFIER_KEY');
      const extra = await put(node.auth('admin'), { logs: [], more: 1 });
      expect(extra.statusCode).toBe(400);
      const get = await node.app.inject({ url: '/v1/witness/logs', headers: node.auth('ingest') });
      expect(get.json()).toEqual({ logs: [logKey(5)] });
    });
  });
});

describe('POST /v1/witness/add-checkpoint', () => {
  describe('when a listed log sends a checkpoint (no token: the spec authenticates the checkpoint)', () => {
    it("is 200 with a cosignature line that verifies with the node's witness key", async () => {
      const res = await addCheckpoint(await req(0, 4));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      const opened = openCheckpoint(`${checkpointOf(5, ext, 4)}${res.body}`, parseLogKey(logKey(5)), [
        parseWitnessKey(node.home.config.witnessKey as string),
      ]);
      expect(opened.verified).toHaveLength(2);
      const next = await addCheckpoint(await req(4, 9));
      expect(next.statusCode).toBe(200);
    });
  });

  describe('when the request is refused (c2sp.org/tlog-witness statuses)', () => {
    it('answers 409 with the recorded size, 404, 400, 422, 409 on a conflicting root', async () => {
      const stale = await addCheckpoint(await req(4, 10));
      expect(stale.statusCode).toBe(409);
      expect(stale.headers['content-type']).toMatch(/^text\/x\.tlog\.size/);
      expect(stale.body).toBe('9\n');
      const unknown = await addCheckpoint(
        formatAddCheckpoint({ oldSize: 0, proof: [], note: checkpointOf(6, ext, 3) }),
      );
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error.code).toBe('ERR_UNKNOWN_ORIGIN');
      const malformed = await addCheckpoint('old 1\n');
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().error.code).toBe('ERR_MALFORMED_WITNESS_REQUEST');
      const badProof = await addCheckpoint(
        formatAddCheckpoint({
          oldSize: 9,
          proof: await proveConsistency(8, 11, ext.tree),
          note: checkpointOf(5, ext, 11),
        }),
      );
      expect(badProof.statusCode).toBe(422);
      expect(badProof.json().error.code).toBe('ERR_CONSISTENCY_FAILED');
      const conflict = await addCheckpoint(
        formatAddCheckpoint({ oldSize: 9, proof: [], note: checkpointOf(5, fork, 9) }),
      );
      expect(conflict.statusCode).toBe(409);
      expect(conflict.json().error.code).toBe('ERR_ROOT_CONFLICT');
    });
  });

  describe('when the body is JSON, or too large', () => {
    it('is 415 / 413 before the witness sees it', async () => {
      const json = await addCheckpoint(JSON.stringify({ old: 0 }), 'application/json');
      expect(json.statusCode).toBe(415);
      expect(json.json().error.code).toBe('ERR_UNSUPPORTED_MEDIA_TYPE');
      // No Content-Type at all: the same typed 415, saying which type the route takes.
      const bare = await node.app.inject({ method: 'POST', url: '/v1/witness/add-checkpoint', payload: 'x' });
      expect(bare.statusCode).toBe(415);
      expect(bare.json().error).toMatchObject({ code: 'ERR_UNSUPPORTED_MEDIA_TYPE' });
      expect(bare.json().error.message).toContain('text/plain');
      const big = await addCheckpoint(utf8('x'.repeat(MAX_ADD_CHECKPOINT_BYTES + 1)));
      expect(big.statusCode).toBe(413);
    });
  });

  describe('when the node runs without a witness service', () => {
    it('is 409 ERR_NO_WITNESS', async () => {
      const res = await bare.app.inject({
        method: 'POST',
        url: '/v1/witness/add-checkpoint',
        headers: { 'content-type': 'text/plain' },
        payload: await req(0, 4),
      });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('ERR_NO_WITNESS');
      const logs = await bare.app.inject({ url: '/v1/witness/logs', headers: bare.auth('admin') });
      expect(logs.json().error.code).toBe('ERR_NO_WITNESS');
    });
  });
});

describe('GET /v1/proofs/inclusion and /v1/proofs/consistency', () => {
  describe('when the origin is no member log (this node is in no federation)', () => {
    it('is 404 ERR_NOT_FOUND', async () => {
      for (const url of [
        `/v1/proofs/inclusion?origin=${encodeURIComponent(logName(5))}&index=0`,
        `/v1/proofs/consistency?origin=${encodeURIComponent(node.home.config.origin)}&from=0`,
      ]) {
        const res = await node.app.inject({ url, headers: node.auth('auditor') });
        expect(res.statusCode, url).toBe(404);
        expect(res.json().error.code, url).toBe('ERR_NOT_FOUND');
      }
    });
  });

  describe('when the query is malformed', () => {
    it('is 400 before the witness is asked', async () => {
      for (const url of [
        '/v1/proofs/inclusion?origin=x',
        '/v1/proofs/inclusion?origin=x&index=-1',
        '/v1/proofs/inclusion?origin=a%20b&index=1',
        '/v1/proofs/consistency?origin=x&from=1&extra=2',
      ]) {
        const res = await node.app.inject({ url, headers: node.auth('auditor') });
        expect(res.statusCode, url).toBe(400);
      }
    });
  });

  describe('when the node runs without a witness service', () => {
    it('is 409 ERR_NO_WITNESS', async () => {
      const res = await bare.app.inject({
        url: '/v1/proofs/inclusion?origin=x&index=0',
        headers: bare.auth('auditor'),
      });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('ERR_NO_WITNESS');
    });
  });
});

describe('GET /v1/log/checkpoint with the witness running', () => {
  it('is the checkpoint with the cosignatures collected (none outside a federation)', async () => {
    const res = await node.app.inject({ url: '/v1/log/checkpoint', headers: node.auth('auditor') });
    expect(res.body).toBe(node.log.checkpoint().note);
  });
});
