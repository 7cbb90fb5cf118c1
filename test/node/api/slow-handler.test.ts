/**
 * The idle-connection limit (http.idleTimeoutMs) closes connections with nothing to do — not one whose
 * request is still being handled: a slow answer (a CPU-starved node took 30 s to make an invite) must
 * reach the client, not be dropped with the socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../../node/log/index.ts';
import { decision, startTestNode, type TestNode } from './harness.ts';

const IDLE_MS = 200;
const HANDLER_MS = 3 * IDLE_MS;

let node: TestNode;
let url: string;
beforeAll(async () => {
  node = await startTestNode({
    http: { idleTimeoutMs: IDLE_MS },
    wrapLog: (log: AuditLog) =>
      new Proxy(log, {
        get(target, prop) {
          if (prop === 'append') {
            return async (...args: Parameters<AuditLog['append']>) => {
              await new Promise((r) => setTimeout(r, HANDLER_MS));
              return await target.append(...args);
            };
          }
          const v = Reflect.get(target, prop, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      }),
  });
  url = await node.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await node.close();
});

describe('a request handled for longer than http.idleTimeoutMs', () => {
  it('is answered, on a new connection and on a kept-alive one', async () => {
    for (let i = 0; i < 2; i++) {
      const t = Date.now();
      const res = await fetch(`${url}/v1/decisions`, {
        method: 'POST',
        headers: { ...node.auth('ingest'), 'content-type': 'application/json' },
        body: JSON.stringify(decision(i)),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { entries: { index: number }[] }).entries[0]?.index).toBe(i);
      expect(Date.now() - t).toBeGreaterThanOrEqual(HANDLER_MS - 10);
    }
  });

  it('still closes a connection that sends nothing', async () => {
    const { connect } = await import('node:net');
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    const closed = await new Promise<number>((resolve) => {
      const t = Date.now();
      socket.on('close', () => resolve(Date.now() - t));
      socket.on('error', () => {});
    });
    expect(closed).toBeGreaterThanOrEqual(IDLE_MS - 20);
    expect(closed).toBeLessThan(10 * IDLE_MS + 2000);
  });
});
