import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../cli/client.ts';
import { MAX_RETRIES, retryDelaySeconds, sendWithRetry } from '../../cli/rate-limited.ts';
import { startTestNode, type TestNode } from '../node/api/harness.ts';

const limited = (retryAfter: string | null, code = 'ERR_RATE_LIMITED') =>
  new Response(JSON.stringify({ error: { code, message: 'slow down' } }), {
    status: 429,
    headers: retryAfter === null ? {} : { 'retry-after': retryAfter },
  });
const isRateLimited = async (r: Response) =>
  ((await r.json()) as { error: { code: string } }).error.code === 'ERR_RATE_LIMITED';

describe('retryDelaySeconds', () => {
  describe('when the answer is a 429 with a usable Retry-After', () => {
    it('gives its seconds (at least 1)', () => {
      expect(retryDelaySeconds(limited('3'))).toBe(3);
      expect(retryDelaySeconds(limited('0'))).toBe(1);
    });
  });
  describe('when it is not', () => {
    it.each([
      [limited(null)],
      [limited('61')],
      [limited('1.5')],
      [limited('Wed, 21 Oct 2015 07:28:00 GMT')],
      [new Response('x', { status: 503, headers: { 'retry-after': '1' } })],
    ])('gives undefined', (res) => {
      expect(retryDelaySeconds(res)).toBeUndefined();
    });
  });
});

describe('sendWithRetry', () => {
  describe('when the node refuses with ERR_RATE_LIMITED, then serves', () => {
    it('waits Retry-After each time and returns the answer', async () => {
      const answers = [limited('2'), limited('1'), new Response('ok')];
      const waits: number[] = [];
      const res = await sendWithRetry(
        async () => answers.shift() as Response,
        isRateLimited,
        async (ms) => waits.push(ms),
      );
      expect(await res.text()).toBe('ok');
      expect(waits).toEqual([2000, 1000]);
    });
  });
  describe('when the 429 is another refusal, or the node keeps refusing', () => {
    it('returns the 429 without waiting for another code', async () => {
      const waits: number[] = [];
      const res = await sendWithRetry(
        async () => limited('1', 'ERR_PROPOSAL_LIMIT'),
        isRateLimited,
        async (ms) => waits.push(ms),
      );
      expect(res.status).toBe(429);
      expect(waits).toEqual([]);
    });
    it(`gives up after ${MAX_RETRIES} waits`, async () => {
      let sent = 0;
      const res = await sendWithRetry(
        async () => {
          sent++;
          return limited('1');
        },
        isRateLimited,
        async () => {},
      );
      expect(res.status).toBe(429);
      expect(sent).toBe(MAX_RETRIES + 1);
    });
  });
});

describe('ApiClient against a rate-limited node', () => {
  let node: TestNode;
  let baseUrl: string;
  beforeAll(async () => {
    node = await startTestNode({ http: { rateLimit: { perIp: 60 } } }); // one request a second, bursts of 60
    baseUrl = (await node.app.listen({ host: '127.0.0.1', port: 0 })).replace(/\/$/, '');
  });
  afterAll(async () => {
    await node.close();
  });

  describe('when a command makes more requests than the budget allows at once', () => {
    it('goes at the budget pace instead of failing', async () => {
      const client = new ApiClient({ baseUrl });
      const started = Date.now();
      for (let i = 0; i < 62; i++) expect(await client.tlogCheckpoint()).toBe(node.log.checkpoint().note);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900); // the 61st and 62nd waited for the refill
      const metrics = await node.app.inject({ url: '/metrics', headers: node.auth('admin') });
      expect(metrics.body).toMatch(/^govfed_rate_limited_total\{limit="perIp"\} [1-9]/m);
    });
  });
});
