import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSchemas } from '../../../node/api/app.ts';
import { startTestNode, type TestNode } from './harness.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node.close();
});

describe('buildApp', () => {
  describe('when a route is unknown', () => {
    it('answers 404 ERR_ROUTE_NOT_FOUND as JSON, with or without a token', async () => {
      for (const headers of [{}, node.auth('admin')]) {
        const res = await node.app.inject({ url: '/v1/nothing', headers });
        expect(res.statusCode).toBe(404);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.json().error.code).toBe('ERR_ROUTE_NOT_FOUND');
      }
    });

    it('answers 404 for a known path with an unknown method', async () => {
      const res = await node.app.inject({ method: 'DELETE', url: '/v1/log/checkpoint', headers: node.auth('admin') });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('ERR_ROUTE_NOT_FOUND');
    });
  });

  describe('when a body is sent where the default limit applies', () => {
    it('answers 413 ERR_BODY_TOO_LARGE before reading it all', async () => {
      const res = await node.app.inject({
        method: 'POST',
        url: '/v1/tokens',
        headers: node.auth('admin'),
        payload: { role: 'x'.repeat(4096) },
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('ERR_BODY_TOO_LARGE');
    });
  });

  describe('when the caller is not authenticated', () => {
    it('rejects before parsing the body', async () => {
      const res = await node.app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: { 'content-type': 'application/json' },
        payload: '{not json',
      });
      expect(res.statusCode).toBe(401);
    });
  });
});

describe('buildApp while closing', () => {
  describe('when a request arrives after close() began', () => {
    it('answers 503 ERR_SHUTTING_DOWN with Retry-After and Connection: close', async () => {
      const closing = await startTestNode();
      const done = closing.app.close();
      const res = await closing.app.inject({ url: '/healthz' });
      await done;
      await closing.close();
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('ERR_SHUTTING_DOWN');
      expect(res.headers['retry-after']).toBe('1');
      expect(res.headers.connection).toBe('close');
      // An expected, typed refusal: its code and message for the operator, no stack (old code: a stack).
      const event = closing.events.find((e) => e.event === 'http:error');
      expect(event?.fields).toMatchObject({
        status: 503,
        code: 'ERR_SHUTTING_DOWN',
        error: 'the node is shutting down',
      });
      expect(event?.fields).not.toHaveProperty('stack');
    });
  });
});

describe('requireSchemas', () => {
  const full = {
    querystring: {},
    params: {},
    body: {},
    response: { 200: {}, '4xx': {}, '5xx': {} },
  };

  describe('when a route declares every schema', () => {
    it('accepts it', () => {
      expect(() => requireSchemas({ method: 'POST', url: '/x/:id', schema: full })).not.toThrow();
    });
  });

  describe('when a schema is missing', () => {
    it.each([
      ['querystring', { ...full, querystring: undefined }],
      ['params', { ...full, params: undefined }],
      ['body', { ...full, body: undefined }],
      ['response 4xx', { ...full, response: { 200: {}, '5xx': {} } }],
    ])('refuses a route without %s', (what, schema) => {
      expect(() => requireSchemas({ method: 'POST', url: '/x/:id', schema })).toThrow(what);
    });
  });
});
