/**
 * Hostile HTTP clients against a real daemon over real sockets: slow bodies are cut by the request
 * timeout while /healthz still answers, connections past the cap are refused, a request refused before
 * its body is read (401, 413) closes the connection without reading the body, and the tlog-witness route
 * takes only its raw text/plain body.
 *
 * The daemon runs with short limits from config.json `http` so the test does not wait 30 s.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../helpers/daemon.ts';

const LIMITS = { requestTimeoutMs: 2_000, headersTimeoutMs: 2_000, idleTimeoutMs: 20_000, maxConnections: 24 };

let node: TestNode;
let daemon: DaemonProcess;
let host: string;
let port: number;

beforeAll(async () => {
  node = await initNode('hostile');
  const configFile = path.join(node.home, 'config.json');
  const config = JSON.parse(await readFile(configFile, 'utf8'));
  await writeFile(configFile, JSON.stringify({ ...config, http: LIMITS }, null, 2));
  daemon = await DaemonProcess.start(node.home);
  const u = new URL(daemon.url);
  host = u.hostname;
  port = Number(u.port);
}, 60_000);

afterAll(async () => {
  await killAllDaemons();
  await rm(node.tmp, { recursive: true, force: true });
});

/** A raw TCP connection that records what the server sends and when it closes. */
interface Raw {
  socket: Socket;
  received: () => string;
  closed: Promise<void>;
  isClosed: () => boolean;
}

async function open(): Promise<Raw> {
  const socket = connect({ host, port });
  let data = '';
  let closed = false;
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => {
    data += d;
  });
  socket.on('error', () => {}); // EPIPE / ECONNRESET once the server has closed: what the tests expect
  const done = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => data, closed: done, isClosed: () => closed };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves true when `p` settles within `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), t]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends headers declaring a `declared`-byte body, then streams it as fast as the server reads, until the
 * server closes. Returns the reply and the bytes the kernel took from us (an upper bound of what the
 * server read).
 */
async function flood(headers: string, declared: number): Promise<{ reply: string; sent: number }> {
  const raw = await open();
  raw.socket.write(`${headers}Content-Length: ${declared}\r\n\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let written = 0;
  while (!raw.isClosed() && written < declared) {
    const ok = raw.socket.write(chunk);
    written += chunk.length;
    if (!ok) {
      const drained = await within(
        new Promise((r) => {
          raw.socket.once('drain', r);
          raw.socket.once('close', r);
        }),
        3_000,
      );
      if (!drained) break; // the server stopped reading and the buffers are full
    }
  }
  const closed = await within(raw.closed, 10_000);
  const sent = raw.socket.bytesWritten;
  raw.socket.destroy();
  expect(closed, 'the server closed the connection').toBe(true);
  return { reply: raw.received(), sent };
}

describe('govfed daemon under hostile HTTP clients', () => {
  describe('when clients trickle a body one byte at a time', () => {
    it('cuts each after the request timeout, and /healthz answers while they are held', async () => {
      const slow = await Promise.all(Array.from({ length: 10 }, () => open()));
      for (const s of slow) {
        s.socket.write(
          `POST /v1/witness/add-checkpoint HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n`,
        );
      }
      let trickling = true;
      const trickle = (async () => {
        while (trickling) {
          for (const s of slow) if (!s.isClosed()) s.socket.write('o');
          await sleep(300);
        }
      })();
      // While they are held: the node still answers.
      const health = await daemon.fetch('/healthz');
      expect(health.status).toBe(200);
      expect(slow.every((s) => !s.isClosed())).toBe(true);
      // 1000 bytes at one per 300 ms would take 5 minutes; the request timeout (2 s) ends them.
      const allClosed = await within(Promise.all(slow.map((s) => s.closed)), 15_000);
      trickling = false;
      await trickle;
      expect(allClosed).toBe(true);
      for (const s of slow) expect(s.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect((await daemon.fetch('/healthz')).status).toBe(200);
    });
  });

  describe('when more clients connect than maxConnections', () => {
    it('refuses the connections past the cap and serves again once they are gone', async () => {
      const held = await Promise.all(Array.from({ length: LIMITS.maxConnections }, () => open()));
      for (const s of held) s.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // headers never finished
      await sleep(200);
      const over = await open().catch(() => undefined);
      if (over !== undefined) {
        over.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        expect(await within(over.closed, 5_000)).toBe(true);
        expect(over.received()).toBe(''); // closed on accept: never answered
      }
      for (const s of held) s.socket.destroy();
      await Promise.all(held.map((s) => s.closed));
      await sleep(200);
      expect((await daemon.fetch('/healthz')).status).toBe(200);
    });
  });

  describe('when an unauthenticated client sends a big body', () => {
    it('answers 401 and closes without reading the body', async () => {
      const declared = 256 * 1024 * 1024;
      const { reply, sent } = await flood(
        'POST /v1/decisions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n',
        declared,
      );
      expect(reply).toMatch(/^HTTP\/1\.1 401 /);
      expect(reply.toLowerCase()).toContain('connection: close');
      expect(reply).toContain('ERR_UNAUTHORIZED');
      // At most what the socket buffers on both sides hold, far from the declared 256 MiB.
      expect(sent).toBeLessThan(32 * 1024 * 1024);
    });
  });

  describe('when an authenticated client declares a body over the route limit', () => {
    it('answers 413 and closes without reading the body', async () => {
      const { reply, sent } = await flood(
        `POST /v1/decisions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${node.adminToken}\r\nContent-Type: application/json\r\n`,
        256 * 1024 * 1024,
      );
      expect(reply).toMatch(/^HTTP\/1\.1 413 /);
      expect(reply).toContain('ERR_BODY_TOO_LARGE');
      expect(sent).toBeLessThan(32 * 1024 * 1024);
    });
  });

  describe('POST /v1/witness/add-checkpoint with a body that is not text/plain', () => {
    const post = (body: string | undefined, type?: string) =>
      daemon.fetch('/v1/witness/add-checkpoint', {
        method: 'POST',
        ...(type === undefined ? {} : { headers: { 'content-type': type } }),
        ...(body === undefined ? {} : { body }),
      });

    it('answers JSON with 415 ERR_UNSUPPORTED_MEDIA_TYPE without building anything from it', async () => {
      for (const body of ['{"buffer":{"length":100000000}}', 'null', '{"buffer":null}']) {
        const res = await post(body, 'application/json');
        expect(res.status).toBe(415);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_UNSUPPORTED_MEDIA_TYPE');
      }
      expect((await post('x', 'application/x-www-form-urlencoded')).status).toBe(415);
    });

    it('answers an empty or nonsense text body with a 4xx, and logs no stack', async () => {
      for (const body of [undefined, '', 'null', '{"buffer":{"length":100000000}}']) {
        const res = await post(body, body === undefined ? undefined : 'text/plain');
        expect(res.status, String(body)).toBeGreaterThanOrEqual(400);
        expect(res.status, String(body)).toBeLessThan(500);
      }
      expect(daemon.stderr).not.toContain('http:error');
      expect(daemon.stderr).not.toMatch(/\n\s+at /);
    });
  });
});
