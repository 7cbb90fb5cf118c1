/**
 * Per-client rate limits (node/api/rate-limit.ts) over real sockets: buildApp listening on 127.0.0.1,
 * clients connecting from 127.0.0.1 and 127.0.0.2 (two addresses of the loopback network), the real
 * AuditLog and token store of a fresh home.
 */
import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openapiDocument } from '../../../node/api/openapi.ts';
import { budgetOf } from '../../../node/api/rate-limit.ts';
import type { HttpConfig } from '../../../node/home/http-limits.ts';
import { decision, startTestNode, type TestNode } from './harness.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let node: TestNode | undefined;
let base: URL;

async function start(http: HttpConfig, now?: () => Date): Promise<TestNode> {
  node = await startTestNode({ http, ...(now === undefined ? {} : { now }) });
  base = new URL(await node.app.listen({ host: '127.0.0.1', port: 0 }));
  return node;
}
afterEach(async () => {
  await node?.close();
  node = undefined;
});

/** One request over its own connection from `from` (a loopback address). */
function call(
  path: string,
  opts: { from?: string; headers?: Record<string, string>; method?: string; body?: unknown } = {},
): Promise<Answer> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        path,
        method: opts.method ?? 'GET',
        localAddress: opts.from ?? '127.0.0.1',
        agent: false,
        headers: { ...opts.headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** `n` requests one after the other; their statuses. */
async function statuses(n: number, path: string, opts: Parameters<typeof call>[1] = {}): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await call(path, opts)).status);
  return out;
}

function expectRateLimited(res: Answer, limit: number): void {
  expect(res.status).toBe(429);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  const body = JSON.parse(res.body) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe('ERR_RATE_LIMITED');
  expect(body.error.message).toContain(`${limit} a minute`);
  expect(res.body).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  const retry = Number(res.headers['retry-after']);
  expect(Number.isInteger(retry)).toBe(true);
  expect(retry).toBeGreaterThanOrEqual(1);
  expect(retry).toBeLessThanOrEqual(Math.ceil(60 / limit));
  expect(res.headers['x-ratelimit-limit']).toBe(String(limit));
  expect(res.headers['x-ratelimit-remaining']).toBe('0');
}

describe('the per-address limit (routes without a token)', () => {
  describe('when one address goes over its budget', () => {
    it('answers 429 ERR_RATE_LIMITED with Retry-After, and leaves another address and the probes alone', async () => {
      await start({ rateLimit: { perIp: 3 } });
      expect(await statuses(3, '/checkpoint')).toEqual([200, 200, 200]);
      expectRateLimited(await call('/checkpoint'), 3);
      // one budget across the public routes: the tiles and the OpenAPI document are refused as well
      expect((await call('/tile/0/000.p/1')).status).toBe(429);
      expect((await call('/openapi.json')).status).toBe(429);
      // another client address has its own budget
      expect(await statuses(3, '/checkpoint', { from: '127.0.0.2' })).toEqual([200, 200, 200]);
      expect((await call('/checkpoint', { from: '127.0.0.2' })).status).toBe(429);
      // load balancers' probes are never limited
      expect((await call('/healthz')).status).toBe(200);
      expect((await call('/readyz')).status).toBe(200);
    });

    it('does not charge a token-holding client for the address it shares', async () => {
      const n = await start({ rateLimit: { perIp: 2 } });
      expect(await statuses(3, '/checkpoint')).toEqual([200, 200, 429]);
      expect(await statuses(5, '/v1/node', { headers: n.auth('auditor') })).toEqual([200, 200, 200, 200, 200]);
    });

    it('counts requests without a valid token against the address: a client guessing tokens gets 429, not endless 401s', async () => {
      const n = await start({ rateLimit: { perIp: 3 } });
      const bad = { authorization: 'Bearer not-a-token-of-this-node' };
      expect(await statuses(2, '/v1/node', { headers: bad })).toEqual([401, 401]);
      expect((await call('/v1/log/checkpoint')).status).toBe(401); // no token at all: the same budget
      const refused = await call('/v1/node', { headers: bad });
      expectRateLimited(refused, 3);
      expect(refused.headers['www-authenticate']).toBeUndefined();
      // the address's public routes share that budget; a valid token and another address do not
      expect((await call('/checkpoint')).status).toBe(429);
      expect(await statuses(3, '/v1/node', { headers: n.auth('auditor') })).toEqual([200, 200, 200]);
      expect(await statuses(2, '/v1/node', { from: '127.0.0.2', headers: bad })).toEqual([401, 401]);
      // a refused ingest request is refused before its body is read, and nothing is logged
      const size = n.log.size;
      const post = await call('/v1/decisions', { method: 'POST', headers: bad, body: { decisions: [decision()] } });
      expect(post.status).toBe(429);
      expect(n.log.size).toBe(size);
    });

    it('counts requests to unknown routes (404) against the address: a scanner is slowed too', async () => {
      await start({ rateLimit: { perIp: 2 } });
      expect(await statuses(2, '/no/such/route')).toEqual([404, 404]);
      const refused = await call('/wp-login.php', { method: 'POST', body: { x: 1 } });
      expectRateLimited(refused, 2);
      expect((await call('/checkpoint')).status).toBe(429);
      expect((await call('/no/such/route', { from: '127.0.0.2' })).status).toBe(404);
    });

    it('counts a token refused for its role (403) against that token', async () => {
      const n = await start({ rateLimit: { perToken: 2 } });
      const auditor = n.auth('auditor');
      const forbidden = await call('/v1/admin/fsck', { method: 'POST', headers: auditor });
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers['www-authenticate']).toContain('insufficient_scope');
      expect((await call('/v1/node', { headers: auditor })).status).toBe(200);
      expectRateLimited(await call('/v1/node', { headers: auditor }), 2);
      expect((await call('/v1/node', { headers: n.auth('admin') })).status).toBe(200);
    });

    it('counts the refusals in govfed_rate_limited_total', async () => {
      const n = await start({ rateLimit: { perIp: 1 } });
      expect(await statuses(3, '/checkpoint')).toEqual([200, 429, 429]);
      const metrics = await call('/metrics', { headers: n.auth('admin') });
      expect(metrics.body).toMatch(/^govfed_rate_limited_total\{limit="perIp"\} 2$/m);
    });
  });

  describe('when time passes', () => {
    it('refills the budget continuously, up to one minute of it', async () => {
      let t = Date.parse('2026-01-01T00:00:00Z');
      await start({ rateLimit: { perIp: 3 } }, () => new Date(t)); // one request every 20 s, bursts of 3
      expect(await statuses(4, '/checkpoint')).toEqual([200, 200, 200, 429]);
      t += 19_900;
      const early = await call('/checkpoint');
      expectRateLimited(early, 3);
      expect(early.headers['retry-after']).toBe('1'); // 100 ms to go, rounded up
      t += 100;
      expect(await statuses(2, '/checkpoint')).toEqual([200, 429]);
      t += 10 * 60_000; // ten idle minutes fill the bucket once, not ten times
      expect(await statuses(4, '/checkpoint')).toEqual([200, 200, 200, 429]);
    });

    it('serves a refused client again once it waited Retry-After (the real clock)', async () => {
      await start({ rateLimit: { perIp: 120 } }); // one request every 500 ms, bursts of 120
      const burst = await statuses(120, '/checkpoint');
      expect(burst.every((s) => s === 200)).toBe(true); // the bucket starts full
      let refused: Answer | undefined;
      for (let i = 0; i < 10 && refused === undefined; i++) {
        const res = await call('/checkpoint');
        if (res.status !== 200) refused = res;
      }
      expect(refused).toBeDefined();
      expectRateLimited(refused as Answer, 120);
      await sleep(Number((refused as Answer).headers['retry-after']) * 1000);
      expect((await call('/checkpoint')).status).toBe(200);
    });
  });

  describe('when the node is behind a reverse proxy', () => {
    const viaProxy = (client: string, from = '127.0.0.1') => ({ from, headers: { 'x-forwarded-for': client } });

    it('ignores X-Forwarded-For unless the proxy is trusted: every client is the proxy', async () => {
      await start({ rateLimit: { perIp: 2 } });
      expect((await call('/checkpoint', viaProxy('203.0.113.1'))).status).toBe(200);
      expect((await call('/checkpoint', viaProxy('203.0.113.2'))).status).toBe(200);
      expect((await call('/checkpoint', viaProxy('203.0.113.3'))).status).toBe(429);
    });

    it('with http.trustProxy, counts by the address the trusted proxy forwarded, and not by a header from anyone else', async () => {
      await start({ rateLimit: { perIp: 2 }, trustProxy: ['127.0.0.1'] });
      expect(await statuses(3, '/checkpoint', viaProxy('203.0.113.1'))).toEqual([200, 200, 429]);
      expect(await statuses(2, '/checkpoint', viaProxy('203.0.113.2'))).toEqual([200, 200]);
      // a client's own X-Forwarded-For to the left of what the proxy appended does not help it
      expect((await call('/checkpoint', viaProxy('198.51.100.7, 203.0.113.1'))).status).toBe(429);
      // 127.0.0.2 is not a trusted proxy: its header is ignored, it is counted by its own address
      const direct = await statuses(3, '/checkpoint', {
        from: '127.0.0.2',
        headers: { 'x-forwarded-for': '192.0.2.1' },
      });
      expect(direct).toEqual([200, 200, 429]);
      expect(
        (await call('/checkpoint', { from: '127.0.0.2', headers: { 'x-forwarded-for': '192.0.2.2' } })).status,
      ).toBe(429);
    });
  });
});

describe('the per-token limit (routes with a token)', () => {
  describe('when one token goes over its budget', () => {
    it('refuses that token from any address, and leaves another token on the same address alone', async () => {
      const n = await start({ rateLimit: { perToken: 3 } });
      const auditor = { headers: n.auth('auditor') };
      expect(await statuses(3, '/v1/node', auditor)).toEqual([200, 200, 200]);
      expectRateLimited(await call('/v1/node', auditor), 3);
      expect((await call('/v1/node', { ...auditor, from: '127.0.0.2' })).status).toBe(429); // the token, not the address
      expect(await statuses(3, '/v1/node', { headers: n.auth('admin') })).toEqual([200, 200, 200]);
      // a request without a valid token is a 401, not counted against anyone's budget
      expect((await call('/v1/node', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    });
  });

  describe('when the token ingests (POST /v1/decisions)', () => {
    it('is not limited by default, even when the token is over its budget for the other routes', async () => {
      const n = await start({ rateLimit: { perToken: 2 } });
      const ingest = { headers: n.auth('ingest'), method: 'POST', body: [decision(0), decision(1)] };
      expect(await statuses(2, '/v1/node', { headers: n.auth('ingest') })).toEqual([200, 200]);
      expect((await call('/v1/node', { headers: n.auth('ingest') })).status).toBe(429);
      expect(await statuses(6, '/v1/decisions', ingest)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(n.log.size).toBe(12);
    });

    it('with http.rateLimit.ingestPerToken, counts ingest in a bucket of its own', async () => {
      const n = await start({ rateLimit: { perToken: 100, ingestPerToken: 2 } });
      const ingest = { headers: n.auth('ingest'), method: 'POST', body: [decision(0)] };
      expect(await statuses(2, '/v1/decisions', ingest)).toEqual([200, 200]);
      const refused = await call('/v1/decisions', ingest);
      expectRateLimited(refused, 2);
      expect(refused.headers.connection).toBe('close'); // refused before its body was read
      expect(n.log.size).toBe(2); // nothing of the refused request was stored
      expect((await call('/v1/node', { headers: n.auth('ingest') })).status).toBe(200);
    });
  });
});

describe('turning the limits off', () => {
  describe('when every budget is 0', () => {
    it('never answers 429', async () => {
      const n = await start({ rateLimit: { perIp: 0, perToken: 0, ingestPerToken: 0 } });
      expect((await statuses(40, '/checkpoint')).every((s) => s === 200)).toBe(true);
      expect((await statuses(40, '/v1/node', { headers: n.auth('auditor') })).every((s) => s === 200)).toBe(true);
    });
  });

  describe('when only the per-address budget is 0', () => {
    it('still limits tokens', async () => {
      const n = await start({ rateLimit: { perIp: 0, perToken: 1 } });
      expect((await statuses(20, '/checkpoint')).every((s) => s === 200)).toBe(true);
      expect(await statuses(2, '/v1/node', { headers: n.auth('auditor') })).toEqual([200, 429]);
    });
  });
});

describe('the default budgets', () => {
  it('serve a client within them without rate-limit headers (tiles are cached by proxies)', async () => {
    await start({});
    const res = await call('/checkpoint');
    expect(res.status).toBe(200);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('x-ratelimit') || h === 'retry-after')).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('declares the 429 answer with Retry-After on the limited routes, and not on the probes', async () => {
    const doc = (await openapiDocument()) as {
      paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>>;
    };
    for (const [path, method] of [
      ['/checkpoint', 'get'],
      ['/tile/{*}', 'get'],
      ['/v1/decisions', 'post'],
      ['/v1/node', 'get'],
    ] as const) {
      const r429 = doc.paths[path]?.[method]?.responses['429'];
      expect(r429, `${method} ${path}`).toBeDefined();
      expect(Object.keys(r429?.headers ?? {})).toContain('retry-after');
    }
    expect(doc.paths['/healthz']?.get?.responses['429']).toBeUndefined();
    expect(doc.paths['/readyz']?.get?.responses['429']).toBeUndefined();
  });
});

describe('budgetOf', () => {
  const req = (r: { ip?: string; tokenId?: string; access?: string }) =>
    ({ ip: r.ip, tokenId: r.tokenId, routeOptions: { config: { access: r.access } } }) as never;
  describe('when the request has a token', () => {
    it('counts by the token id, the ingest routes in a bucket of their own', () => {
      expect(budgetOf(req({ ip: '10.0.0.1', tokenId: 'abc', access: 'any' }))).toEqual({
        limit: 'perToken',
        key: 'token:abc',
      });
      expect(budgetOf(req({ ip: '10.0.0.1', tokenId: 'abc', access: 'ingest' }))).toEqual({
        limit: 'ingestPerToken',
        key: 'ingest:abc',
      });
    });
  });
  describe('when it has none', () => {
    it('counts by the address: IPv6 per /64, IPv4-mapped as IPv4, a closed socket in one shared bucket', () => {
      expect(budgetOf(req({ ip: '2001:db8:1:2:3:4:5:6' })).key).toBe(budgetOf(req({ ip: '2001:db8:1:2:ffff::1' })).key);
      expect(budgetOf(req({ ip: '2001:db8:1:2:3:4:5:6' })).key).not.toBe(budgetOf(req({ ip: '2001:db8:1:3::1' })).key);
      expect(budgetOf(req({ ip: '::ffff:192.0.2.1' })).key).toBe('ip:192.0.2.1');
      expect(budgetOf(req({}))).toEqual({ limit: 'perIp', key: 'ip:unknown' });
    });
  });
});
