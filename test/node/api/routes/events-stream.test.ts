/**
 * GET /v1/events over a real listening server (a stream cannot be tested with inject): access, the
 * `ready` event, live messages, decisions recorded by POST /v1/decisions, the stream bound, and that
 * closing the app ends open streams instead of waiting for them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formatSse } from '../../../../node/api/routes/events-stream.ts';
import { decision, startTestNode, type TestNode } from '../harness.ts';

let node: TestNode | undefined;
afterEach(async () => {
  await node?.close();
  node = undefined;
});

async function listen(n: TestNode): Promise<string> {
  await n.app.listen({ host: '127.0.0.1', port: 0 });
  const a = n.app.server.address() as { port: number };
  return `http://127.0.0.1:${a.port}`;
}

/** Reads a stream's text until `until` matches it (or 5 s pass). */
async function readUntil(res: Response, until: RegExp): Promise<string> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + 5000;
  while (!until.test(text)) {
    if (Date.now() > deadline) throw new Error(`stream did not show ${until}: ${text}`);
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

describe('formatSse', () => {
  it('writes one event with its JSON on one data line', () => {
    expect(formatSse('policy', { what: 'a\nb', version: 2 })).toBe(
      'event: policy\ndata: {"what":"a\\nb","version":2}\n\n',
    );
  });
});

describe('GET /v1/events', () => {
  describe('without a token or with the ingest role', () => {
    it('answers 401 and 403 with typed errors', async () => {
      node = await startTestNode();
      const none = await node.app.inject({ url: '/v1/events' });
      expect(none.statusCode).toBe(401);
      expect(none.json().error.code).toBe('ERR_UNAUTHORIZED');
      const ingest = await node.app.inject({ url: '/v1/events', headers: node.auth('ingest') });
      expect(ingest.statusCode).toBe(403);
      expect(ingest.json().error.code).toBe('ERR_FORBIDDEN');
    });
  });

  describe('with an auditor token', () => {
    it('streams ready, then what is published and the decisions POST /v1/decisions records', async () => {
      node = await startTestNode();
      const base = await listen(node);
      const abort = new AbortController();
      const res = await fetch(`${base}/v1/events`, { headers: node.auth('auditor'), signal: abort.signal });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(await readUntil(res, /event: ready\n/)).toContain('event: ready\n');
      node.live.publish('policy', { what: 'policy:applied', version: 7 });
      expect(await readUntil(res, /event: policy/)).toContain('data: {"what":"policy:applied","version":7}');
      const posted = await fetch(`${base}/v1/decisions`, {
        method: 'POST',
        headers: { ...node.auth('ingest'), 'content-type': 'application/json' },
        body: JSON.stringify([decision(1), decision(2)]),
      });
      expect(posted.status).toBe(200);
      expect(await readUntil(res, /event: decision/)).toContain('data: {"count":2}');
      abort.abort();
    });

    it('refuses a stream beyond the bound with 503 ERR_TOO_MANY_STREAMS', async () => {
      node = await startTestNode({ maxStreams: 1 });
      const base = await listen(node);
      const abort = new AbortController();
      const first = await fetch(`${base}/v1/events`, { headers: node.auth('auditor'), signal: abort.signal });
      await readUntil(first, /event: ready/);
      const second = await fetch(`${base}/v1/events`, { headers: node.auth('admin') });
      expect(second.status).toBe(503);
      expect(((await second.json()) as { error: { code: string } }).error.code).toBe('ERR_TOO_MANY_STREAMS');
      abort.abort();
    });
  });

  describe('when the app closes with a stream open', () => {
    it('ends the stream and closes promptly', async () => {
      node = await startTestNode();
      const base = await listen(node);
      const res = await fetch(`${base}/v1/events`, { headers: node.auth('auditor') });
      await readUntil(res, /event: ready/);
      const t0 = Date.now();
      await node.app.close();
      expect(Date.now() - t0).toBeLessThan(3000);
      // The node ended the stream: the reader reaches its end.
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      for (;;) if ((await reader.read()).done) break;
      expect(node.live.size).toBe(0);
    });
  });
});
