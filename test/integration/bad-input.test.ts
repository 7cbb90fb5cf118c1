/**
 * Bad input against a real daemon over real HTTP: every malformed, oversize, unauthorized or
 * out-of-range request gets a 4xx with a JSON error `{error: {code, message}}` — never a 5xx — and the
 * log does not grow.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCliJson } from '../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../helpers/daemon.ts';
import { makeRecords, metricValue, postDecisions } from '../helpers/records.ts';

let node: TestNode;
let daemon: DaemonProcess;
const tokens: Record<'ingest' | 'auditor', string> = { ingest: '', auditor: '' };
let size = 0;

async function logSize(): Promise<number> {
  const res = await daemon.fetch('/metrics', { token: node.adminToken });
  const v = metricValue(await res.text(), 'govfed_log_size');
  if (v === undefined) throw new Error('no govfed_log_size in /metrics');
  return v;
}

interface Case {
  name: string;
  method?: string;
  path: string;
  token?: 'ingest' | 'auditor' | 'admin' | 'none' | string;
  contentType?: string;
  body?: string | Uint8Array;
  status: number;
  code?: string | RegExp;
}

/** The status, headers and body of the reply; what a fetch-like client would see. */
interface Reply {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

async function send(c: Case): Promise<Reply> {
  const headers: Record<string, string> = {};
  const t = c.token ?? 'ingest';
  if (t === 'admin') headers.authorization = `Bearer ${node.adminToken}`;
  else if (t === 'ingest' || t === 'auditor') headers.authorization = `Bearer ${tokens[t]}`;
  else if (t !== 'none') headers.authorization = t;
  if (c.body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
  if (c.body !== undefined && c.body.length > 1 << 20) return await rawPost(c.path, headers, c.body);
  return await fetch(`${daemon.url}${c.path}`, {
    method: c.method ?? (c.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(c.body === undefined ? {} : { body: c.body }),
  });
}

/**
 * POST over a raw socket that sends the headers first and the body only if the server has not answered
 * within a second. A server should refuse an oversize body from its Content-Length alone, answer 413 and
 * close; a client that writes the whole body first races that close (fetch() then reports only EPIPE).
 */
function rawPost(p: string, headers: Record<string, string>, body: string | Uint8Array): Promise<Reply> {
  const { hostname, port } = new URL(daemon.url);
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  const head =
    `POST ${p} HTTP/1.1\r\nhost: ${hostname}:${port}\r\nconnection: close\r\ncontent-length: ${bytes.length}\r\n` +
    `${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let done = false;
    const finish = () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const sep = raw.indexOf('\r\n\r\n');
      if (done || sep < 0) return false;
      const lines = raw.slice(0, sep).split('\r\n');
      const fields = new Map(
        lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      const text = raw.slice(sep + 4);
      if (text.length < Number(fields.get('content-length') ?? 0)) return false;
      done = true;
      socket.destroy();
      resolve({
        status: Number(lines[0]?.split(' ')[1]),
        headers: { get: (n) => fields.get(n.toLowerCase()) ?? null },
        text: async () => text,
      });
      return true;
    };
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      finish();
    });
    socket.on('end', () => {
      if (!finish() && !done) reject(new Error(`incomplete response: ${Buffer.concat(chunks).toString('utf8')}`));
    });
    socket.on('error', (err) => {
      if (!done) reject(err);
    });
    socket.write(head);
    setTimeout(() => {
      if (!done) socket.write(bytes);
    }, 1000);
  });
}

const record = makeRecords(1, 'r')[0] as Record<string, unknown>;
const json = (v: unknown) => JSON.stringify(v);
const post = (body: string | Uint8Array, status: number, code?: string | RegExp) => ({
  path: '/v1/decisions',
  body,
  status,
  ...(code === undefined ? {} : { code }),
});

const cases: Case[] = [
  // malformed bodies
  { name: 'malformed JSON', ...post('{"model": "m", "output": ', 400) },
  { name: 'JSON with a trailing comma', ...post('{"model":"m","output":1,}', 400) },
  { name: 'an empty body', ...post('', 400) },
  { name: 'invalid UTF-8', ...post(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400) },
  { name: 'a non-JSON content type', ...post(json(record), 415), contentType: 'text/plain' },
  // wrong types and shapes
  { name: 'model as a number', ...post(json({ ...record, model: 42 }), 400, 'ERR_VALIDATION') },
  { name: 'a missing output', ...post(json({ model: 'm' }), 400, 'ERR_VALIDATION') },
  { name: 'an empty model', ...post(json({ ...record, model: '' }), 400, 'ERR_VALIDATION') },
  { name: 'a bad timestamp', ...post(json({ ...record, timestamp: '2025-06-01 12:00' }), 400, 'ERR_VALIDATION') },
  { name: 'a non-UTC timestamp', ...post(json({ ...record, timestamp: '2025-06-01T12:00:00+02:00' }), 400) },
  { name: 'dataClasses as a string', ...post(json({ ...record, dataClasses: 'pii' }), 400, 'ERR_VALIDATION') },
  { name: 'context as an array', ...post(json({ ...record, context: [1] }), 400, 'ERR_VALIDATION') },
  { name: 'a string body', ...post(json('hello'), 400) },
  { name: 'null', ...post('null', 400) },
  { name: 'an empty array', ...post('[]', 400) },
  { name: 'an unknown field', ...post(json({ ...record, admin: true }), 400, 'ERR_VALIDATION') },
  {
    name: 'one bad record in a batch of good ones',
    ...post(json([...makeRecords(5, 'ok'), { ...record, model: null }, ...makeRecords(5, 'ok2')]), 400),
  },
  // oversize
  {
    name: 'a record over 64 KiB',
    ...post(json({ ...record, context: { blob: 'x'.repeat(70 * 1024) } }), 413, 'ERR_RECORD_TOO_LARGE'),
  },
  { name: 'more than 10,000 records', ...post(json(makeRecords(10_001, 'many')), 413, 'ERR_TOO_MANY_RECORDS') },
  {
    name: 'a body over 16 MiB',
    ...post(
      json(Array.from({ length: 300 }, () => ({ ...record, context: { blob: 'y'.repeat(60_000) } }))),
      413,
      'ERR_BODY_TOO_LARGE',
    ),
  },
  // auth
  { name: 'no token', ...post(json(record), 401, 'ERR_UNAUTHORIZED'), token: 'none' },
  { name: 'a malformed Authorization header', ...post(json(record), 401, 'ERR_UNAUTHORIZED'), token: 'Basic abc' },
  {
    name: 'an unknown token',
    ...post(json(record), 401, 'ERR_UNAUTHORIZED'),
    token: `Bearer gf_ingest_${'A'.repeat(43)}`,
  },
  { name: 'a token with a space', ...post(json(record), 401), token: 'Bearer gf_ingest_x y' },
  { name: 'an auditor token on ingest', ...post(json(record), 403, 'ERR_FORBIDDEN'), token: 'auditor' },
  { name: 'no token on /v1/node', path: '/v1/node', token: 'none', status: 401, code: 'ERR_UNAUTHORIZED' },
  { name: 'an ingest token on a full record', path: '/v1/decisions/0', status: 403, code: 'ERR_FORBIDDEN' },
  { name: 'an ingest token signing a checkpoint', method: 'POST', path: '/v1/log/checkpoint', status: 403 },
  { name: 'an auditor token on fsck', method: 'POST', path: '/v1/admin/fsck', token: 'auditor', status: 403 },
  // out-of-range and malformed parameters
  { name: 'an entry beyond the log', path: '/v1/log/entries/1000000', status: 404, code: 'ERR_NOT_FOUND' },
  { name: 'an entry index that is not a number', path: '/v1/log/entries/abc', status: 400 },
  { name: 'a negative entry index', path: '/v1/log/entries/-1', status: 400 },
  { name: 'an entry index with a leading zero', path: '/v1/log/entries/01', status: 400 },
  { name: 'an entry index past 2^53', path: '/v1/log/entries/99999999999999999999', status: 400 },
  { name: 'a proof for an index beyond the tree', path: '/v1/log/proofs/inclusion?index=1000000', status: 400 },
  {
    name: 'a proof for a tree larger than the log',
    path: '/v1/log/proofs/inclusion?index=0&treeSize=1000000',
    status: 400,
  },
  { name: 'a proof with index >= treeSize', path: '/v1/log/proofs/inclusion?index=1&treeSize=1', status: 400 },
  { name: 'a proof with treeSize 0', path: '/v1/log/proofs/inclusion?index=0&treeSize=0', status: 400 },
  { name: 'a proof without an index', path: '/v1/log/proofs/inclusion', status: 400 },
  { name: 'a proof with index 1e3', path: '/v1/log/proofs/inclusion?index=1e3', status: 400 },
  { name: 'a proof with index 0x1', path: '/v1/log/proofs/inclusion?index=0x1', status: 400 },
  { name: 'a proof with a negative index', path: '/v1/log/proofs/inclusion?index=-1', status: 400 },
  { name: 'a consistency proof with from > to', path: '/v1/log/proofs/consistency?from=2&to=1', status: 400 },
  { name: 'a consistency proof beyond the log', path: '/v1/log/proofs/consistency?from=1&to=1000000', status: 400 },
  { name: 'a consistency proof without from', path: '/v1/log/proofs/consistency?to=1', status: 400 },
  { name: 'a record index beyond the log', path: '/v1/decisions/1000000', token: 'auditor', status: 404 },
  { name: 'an unknown route', path: '/v1/nope', status: 404 },
];

beforeAll(async () => {
  node = await initNode('badinput');
  daemon = await DaemonProcess.start(node.home);
  for (const role of ['ingest', 'auditor'] as const) {
    tokens[role] = (
      await runCliJson<{ token: string }>(['token', 'create', '--home', node.home, '--role', role])
    ).token;
  }
  // A few good entries, so that "beyond the log" is not just "empty log".
  await postDecisions(daemon.url, tokens.ingest, makeRecords(3, 'seed'));
  size = await logSize();
});

afterAll(async () => {
  await killAllDaemons();
  if (node !== undefined) await removeDir(node.tmp);
});

describe('the HTTP API', () => {
  describe('when the input is bad', () => {
    it.each(cases.map((c) => [c.name, c] as const))(
      'answers %s with a 4xx JSON error and appends nothing',
      async (_n, c) => {
        const res = await send(c);
        const text = await res.text();
        expect(res.status, text).toBe(c.status);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const body = JSON.parse(text) as { error: { code: string; message: string } };
        expect(Object.keys(body)).toEqual(['error']);
        expect(body.error.code).toMatch(/^ERR_[A-Z_]+$/);
        if (c.code !== undefined) expect(body.error.code).toMatch(c.code);
        expect(body.error.message.length).toBeGreaterThan(0);
        if (c.status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(await logSize()).toBe(size);
      },
    );
  });

  describe('when a good request follows the bad ones', () => {
    it('is still served, and the log grows by exactly its records', async () => {
      const entries = await postDecisions(daemon.url, tokens.ingest, makeRecords(2, 'after'));
      expect(entries.map((e) => e.index)).toEqual([size, size + 1]);
      expect(await logSize()).toBe(size + 2);
    });
  });
});
