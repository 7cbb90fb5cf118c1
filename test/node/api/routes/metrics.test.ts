import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decision, startTestNode, type TestNode } from '../harness.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
  await node.app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: node.auth('ingest'),
    payload: [decision(1), decision(2)],
  });
});
afterAll(async () => {
  await node.close();
});

describe('GET /metrics', () => {
  describe('when scraped with a token', () => {
    it('returns Prometheus text with the node’s metrics', async () => {
      const res = await node.app.inject({ url: '/metrics', headers: node.auth('auditor') });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = res.body;
      expect(text).toMatch(/^govfed_decisions_ingested_total 2$/m);
      expect(text).toMatch(/^govfed_log_size 2$/m);
      expect(text).toMatch(/^govfed_checkpoint_size 0$/m);
      expect(text).toMatch(/^govfed_checkpoint_lag_seconds \d/m);
      expect(text).toMatch(/^govfed_log_pending_entries 0$/m);
      expect(text).toMatch(/^govfed_append_batch_seconds_count [1-9]/m);
      expect(text).toMatch(/^govfed_backpressure_rejections_total 0$/m);
      expect(text).toMatch(
        /^govfed_http_request_duration_seconds_count\{method="POST",route="\/v1\/decisions",status="200"\} 1$/m,
      );
    });
  });

  describe('when scraped without a token', () => {
    it('answers 401', async () => {
      expect((await node.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    });
  });
});
