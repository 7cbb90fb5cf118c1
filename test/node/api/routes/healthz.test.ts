import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogDb } from '../../../../node/log/db.ts';
import { metricValue } from '../../../helpers/records.ts';
import { type DiskMode, faultyDb, until } from '../../log/helpers.ts';
import { decision, startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node.close();
});

describe('GET /healthz', () => {
  describe('when called without a token', () => {
    it('answers 200 {status: ok, writable: true}', async () => {
      const res = await node.app.inject({ url: '/healthz' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok', writable: true });
    });
  });

  describe('when given a query parameter', () => {
    it('answers 400 (nothing undeclared is accepted)', async () => {
      expect((await node.app.inject({ url: '/healthz?verbose=1' })).statusCode).toBe(400);
    });
  });
});

describe('GET /healthz with charter freshness', () => {
  let stale = false;
  let fed: TestNode;
  beforeAll(async () => {
    fed = await startTestNode({ freshness: { health: () => ({ stale, reason: 'only 1 of 3 members confirm' }) } });
  });
  afterAll(async () => {
    await fed.close();
  });

  describe('when the charter is fresh', () => {
    it('answers 200 {status: ok}', async () => {
      stale = false;
      const res = await fed.app.inject({ url: '/healthz' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok', writable: true });
    });
  });
  describe('when the node reports itself stale', () => {
    it('stays 200 (the log works) but says degraded, with ERR_FEDERATION_STALE and a fixed reason', async () => {
      stale = true;
      const res = await fed.app.inject({ url: '/healthz' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        status: 'degraded',
        code: 'ERR_FEDERATION_STALE',
        reason: expect.stringContaining('freshness window'),
        writable: true,
      });
      // The judgement's details (member counts, versions) stay behind the token, in GET /v1/federation.
      expect(res.body).not.toContain('only 1 of 3');
      expect((await fed.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    });
  });
});

describe('GET /readyz', () => {
  describe('when the log takes appends', () => {
    it('answers 200 {ready: true} without a token', async () => {
      const res = await node.app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ready: true });
    });
  });
});

describe('health while the store fails', () => {
  let faulty: TestNode;
  let disk: DiskMode = 'ok';
  let opened = 0;
  beforeAll(async () => {
    faulty = await startTestNode({
      log: {
        reopenDelayMs: 20,
        // A disk that fails writes; while it fails, reopening the store fails too (as on a full disk).
        wrapDb: (db: LogDb) => {
          if (disk === 'fail' && opened > 0) throw new Error('IO error: injected: No space left on device');
          opened++;
          return faultyDb(db, () => disk);
        },
      },
    });
  });
  afterAll(async () => {
    disk = 'ok';
    await faulty.close();
  });

  it('answers ingest 503 ERR_LOG_UNAVAILABLE with Retry-After; /healthz and /readyz 503; status and metrics say why', async () => {
    const ok = await faulty.app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: faulty.auth('ingest'),
      payload: [decision(1)],
    });
    expect(ok.statusCode).toBe(200);
    disk = 'fail';
    const res = await faulty.app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: faulty.auth('ingest'),
      payload: [decision(2)],
    });
    // Old code: 500 ERR_INTERNAL (LEVEL_IO_ERROR), and /healthz stayed 200.
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toEqual({ error: { code: 'ERR_LOG_UNAVAILABLE', message: 'service unavailable, retry later' } });
    expect(JSON.stringify(faulty.events)).not.toMatch(/"status":500/);

    const health = await faulty.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(503);
    expect(health.headers['retry-after']).toBe('1');
    expect(health.json()).toMatchObject({ status: 'unhealthy', code: 'ERR_LOG_UNAVAILABLE', writable: false });
    expect(health.json().reason).toMatch(/write to the audit log failed/);
    const ready = await faulty.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ ready: false, code: 'ERR_LOG_UNAVAILABLE' });

    const info = await faulty.app.inject({ url: '/v1/node', headers: faulty.auth('auditor') });
    expect(info.statusCode).toBe(200);
    expect(info.json().log).toMatchObject({
      writable: false,
      fault: { code: 'ERR_LOG_UNAVAILABLE', fatal: false },
    });
    const metrics = await faulty.app.inject({ url: '/metrics', headers: faulty.auth('admin') });
    expect(metricValue(metrics.body, 'govfed_log_writable')).toBe(0);
    expect(metricValue(metrics.body, 'govfed_log_write_failures_total')).toBe(1);

    // Room again: the store is reopened, proven, and the node is healthy and takes appends.
    disk = 'ok';
    await until(() => faulty.log.health().writable);
    expect((await faulty.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await faulty.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const again = await faulty.app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: faulty.auth('ingest'),
      payload: [decision(3)],
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().entries[0].index).toBe(1);
  });
});

describe('health while checkpoint signing fails', () => {
  let signing: TestNode;
  let markDir: string;
  beforeAll(async () => {
    markDir = join(tmpdir(), `govfed-mark-${process.pid}-${Date.now()}`);
    await mkdir(markDir);
    signing = await startTestNode({ log: { highWaterFile: join(markDir, 'high-water.json') } });
  });
  afterAll(async () => {
    await mkdir(markDir, { recursive: true });
    await signing.close();
    await rm(markDir, { recursive: true, force: true });
  });

  it('/healthz is 503 with the reason while /readyz stays 200; status and metrics show the signing error', async () => {
    const res = await signing.app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: signing.auth('ingest'),
      payload: [decision(1)],
    });
    expect(res.statusCode).toBe(200);
    await rm(markDir, { recursive: true }); // the high-water mark cannot be written: no checkpoint is signed
    await expect(signing.log.checkpointNow()).rejects.toThrow();
    const health = await signing.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({
      status: 'unhealthy',
      writable: true,
      reason: 'checkpoint signing is failing',
    });
    expect((await signing.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const info = await signing.app.inject({ url: '/v1/node', headers: signing.auth('auditor') });
    expect(info.json().log.checkpointError.message).toMatch(/high-water|ENOENT/);
    // the same coded problem in both places
    expect(health.json().code).toMatch(/^ERR_[A-Z0-9_]+$/);
    expect(info.json().log.checkpointError.code).toBe(health.json().code);
    const metrics = await signing.app.inject({ url: '/metrics', headers: signing.auth('admin') });
    expect(metricValue(metrics.body, 'govfed_checkpoint_signing_failing')).toBe(1);
    expect(metricValue(metrics.body, 'govfed_checkpoint_sign_failures_total')).toBe(1);
    await mkdir(markDir);
    await signing.log.checkpointNow();
    expect((await signing.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('health while the background checkpointer fails to sign', () => {
  let node: TestNode;
  let markDir: string;
  beforeAll(async () => {
    markDir = join(tmpdir(), `govfed-mark-bg-${process.pid}-${Date.now()}`);
    await mkdir(markDir);
    node = await startTestNode({
      log: { highWaterFile: join(markDir, 'high-water.json'), checkpointIntervalMs: 50 },
    });
  });
  afterAll(async () => {
    await mkdir(markDir, { recursive: true });
    await node.close();
    await rm(markDir, { recursive: true, force: true });
  });

  it("shows the timer's failed signing (Checkpointer.lastError) in /healthz, GET /v1/node and /metrics", async () => {
    await rm(markDir, { recursive: true }); // no signing can raise the high-water mark
    const res = await node.app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: node.auth('ingest'),
      payload: [decision(2)],
    });
    expect(res.statusCode).toBe(200);
    // nobody calls checkpointNow: the checkpointer's own timer tries, fails, and keeps the error
    const deadline = Date.now() + 5000;
    let health = await node.app.inject({ url: '/healthz' });
    while (health.statusCode === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      health = await node.app.inject({ url: '/healthz' });
    }
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ status: 'unhealthy', reason: 'checkpoint signing is failing' });
    const info = await node.app.inject({ url: '/v1/node', headers: node.auth('auditor') });
    expect(info.json().log.checkpointError.code).toBe(health.json().code);
    const metrics = await node.app.inject({ url: '/metrics', headers: node.auth('admin') });
    expect(metricValue(metrics.body, 'govfed_checkpoint_signing_failing')).toBe(1);
  });
});
