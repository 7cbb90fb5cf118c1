import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '../../../node/api/errors.ts';
import { NodeError, schemaErrorFormatter } from '../../../node/errors.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import { decision, startTestNode, type TestNode } from './harness.ts';

describe('describeError', () => {
  describe('when given a client-side GovfedError', () => {
    it('keeps its code and message and maps the status', () => {
      expect(describeError(new GovfedError('ERR_INDEX_OUT_OF_RANGE', 'index 9 >= 3'))).toEqual({
        status: 400,
        code: 'ERR_INDEX_OUT_OF_RANGE',
        message: 'index 9 >= 3',
      });
      expect(describeError(new NodeError('ERR_NOT_FOUND', 'no entry 5')).status).toBe(404);
      expect(describeError(new NodeError('ERR_FORBIDDEN', 'x')).status).toBe(403);
    });
  });

  describe('when given a server-side error', () => {
    it('masks the message of 5xx GovfedErrors', () => {
      expect(describeError(new GovfedError('ERR_LOG_CORRUPT', 'leaf 7 missing at /secret/path'))).toEqual({
        status: 500,
        code: 'ERR_INTERNAL',
        message: 'internal error',
      });
      expect(describeError(new NodeError('ERR_BACKPRESSURE', '200000 pending'))).toEqual({
        status: 503,
        code: 'ERR_BACKPRESSURE',
        message: 'service unavailable, retry later',
      });
    });

    it('shows ERR_NOT_LEADER whole: it names the process of the org to send the request to', () => {
      const msg = "this process does not hold the org's writer lease (held by db1:42:ab12 for 900 ms more)";
      expect(describeError(new NodeError('ERR_NOT_LEADER', msg))).toEqual({
        status: 503,
        code: 'ERR_NOT_LEADER',
        message: msg,
      });
      expect(describeError(new NodeError('ERR_STATE_TOO_LARGE', '/x is 40 MiB'))).toEqual({
        status: 507,
        code: 'ERR_STATE_TOO_LARGE',
        message: 'internal error',
      });
    });

    it('masks anything that is not a known error', () => {
      expect(describeError(new TypeError('cannot read x of undefined'))).toEqual({
        status: 500,
        code: 'ERR_INTERNAL',
        message: 'internal error',
      });
      expect(describeError(new GovfedError('ERR_SOMETHING_NEW', 'x')).status).toBe(500);
      expect(describeError('a string').status).toBe(500);
    });
  });

  describe('when given an error of the LevelDB layer (an I/O error, a store being reopened)', () => {
    it('answers 503 ERR_LOG_UNAVAILABLE with a masked message, never a 500', () => {
      const io = Object.assign(new Error('IO error: /home/x/data/000005.log: No space left on device'), {
        code: 'LEVEL_IO_ERROR',
      });
      expect(describeError(io)).toEqual({
        status: 503,
        code: 'ERR_LOG_UNAVAILABLE',
        message: 'service unavailable, retry later',
      });
      const closed = Object.assign(new Error('Database is not open'), { code: 'LEVEL_DATABASE_NOT_OPEN' });
      expect(describeError(closed).status).toBe(503);
    });
  });

  describe('when given fastify client errors', () => {
    it('maps them to govfed codes', () => {
      const fst = (code: string, statusCode: number) => Object.assign(new Error('m'), { code, statusCode });
      expect(describeError(fst('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415)).code).toBe('ERR_UNSUPPORTED_MEDIA_TYPE');
      expect(describeError(fst('FST_ERR_CTP_BODY_TOO_LARGE', 413)).code).toBe('ERR_BODY_TOO_LARGE');
      expect(describeError(fst('FST_ERR_CTP_INVALID_JSON_BODY', 400)).code).toBe('ERR_INVALID_JSON');
      expect(describeError(fst('FST_ERR_VALIDATION', 400)).code).toBe('ERR_VALIDATION');
      expect(describeError(fst('FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400))).toMatchObject({
        status: 400,
        code: 'ERR_BAD_REQUEST',
      });
    });
  });
});

describe('schemaErrorFormatter', () => {
  describe('when ajv reports an error', () => {
    it('names the path and the offending property', () => {
      const e = schemaErrorFormatter(
        [
          {
            instancePath: '/3',
            keyword: 'additionalProperties',
            message: 'must NOT have additional properties',
            params: { additionalProperty: 'x' },
          },
          { instancePath: '', keyword: 'if', message: 'must match "then" schema', params: {} },
        ],
        'body',
      );
      expect(e.message).toBe('body/3 must NOT have additional properties ("x")');
    });
  });
});

describe('the error handler', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode({
      wrapLog: (log) =>
        new Proxy(log, {
          get(target, prop) {
            if (prop === 'fsck') return async () => Promise.reject(new Error('EIO: /var/secret/data/000123.ldb'));
            if (prop === 'lookupDecision') {
              return async () => Promise.reject(new NodeError('ERR_BACKPRESSURE', '200000 entries pending'));
            }
            if (prop === 'lookupLeafHash') {
              return async () => Promise.reject(new GovfedError('ERR_LOG_CORRUPT', 'leaf 7 is missing'));
            }
            const v = Reflect.get(target, prop, target);
            return typeof v === 'function' ? v.bind(target) : v;
          },
        }),
    });
  });
  afterAll(async () => {
    await node.close();
  });

  describe('when a route fails unexpectedly', () => {
    it('answers 500 ERR_INTERNAL without details and reports the error to the operator', async () => {
      const res = await node.app.inject({ method: 'POST', url: '/v1/admin/fsck', headers: node.auth('admin') });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'ERR_INTERNAL', message: 'internal error' } });
      expect(res.body).not.toContain('secret');
      const event = node.events.find((e) => e.event === 'http:error');
      expect(event?.fields).toMatchObject({
        route: '/v1/admin/fsck',
        status: 500,
        error: expect.stringContaining('EIO'),
        stack: expect.stringContaining('EIO'),
      });
    });
  });

  describe('when a route answers with a typed 5xx', () => {
    it('reports a typed refusal (503) with its code and message but no stack', async () => {
      const res = await node.app.inject({ url: '/v1/log/lookup?decisionId=d-1', headers: node.auth('auditor') });
      expect(res.statusCode).toBe(503);
      const event = node.events.find((e) => e.event === 'http:error' && e.fields?.status === 503);
      expect(event?.fields).toMatchObject({ code: 'ERR_BACKPRESSURE', error: '200000 entries pending' });
      expect(event?.fields).not.toHaveProperty('stack');
    });

    it('keeps the stack of a typed 500 (the node’s own storage is broken: worth tracing)', async () => {
      const hash = 'a'.repeat(64);
      const res = await node.app.inject({ url: `/v1/log/lookup?leafHash=${hash}`, headers: node.auth('auditor') });
      expect(res.statusCode).toBe(500);
      const event = node.events.find((e) => e.event === 'http:error' && e.fields?.code === 'ERR_LOG_CORRUPT');
      expect(event?.fields).toMatchObject({ status: 500, stack: expect.stringContaining('leaf 7 is missing') });
    });
  });

  describe('when everything else works', () => {
    it('still serves requests', async () => {
      const res = await node.app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: node.auth('ingest'),
        payload: decision(1),
      });
      expect(res.statusCode).toBe(200);
    });
  });
});
