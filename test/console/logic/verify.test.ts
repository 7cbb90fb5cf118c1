/**
 * The console's verify against a real node (real AuditLog on LevelDB, the real HTTP server): a decision
 * verifies; a node that lies — a proof hash, the record, the checkpoint's signature — fails at the step
 * the protocol code names; a pinned key that is not the log's fails at the key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleApi, type Fetch } from '../../../console/logic/api.ts';
import { verifyDecision } from '../../../console/logic/verify.ts';
import { fromBase64, toBase64 } from '../../../protocol/encoding/bytes.ts';
import { decision, startTestNode, type TestNode } from '../../node/api/harness.ts';

let node: TestNode;
let base: string;
let index: number;

beforeAll(async () => {
  node = await startTestNode();
  await node.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(node.app.server.address() as { port: number }).port}`;
  const res = await node.app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: node.auth('ingest'),
    payload: [decision(1), decision(2)],
  });
  index = res.json().entries[0].index; // with a second entry, its proof has a hash to tamper with
  while ((await node.log.checkpointNow()).size < 2) await new Promise((r) => setTimeout(r, 20));
});
afterAll(async () => {
  await node.close();
});

/** A fetch that rewrites the answers of paths matching `match` with `edit`. */
function lying(match: RegExp, edit: (text: string) => string): Fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    if (!match.test(input)) return res;
    return new Response(edit(await res.text()), {
      status: res.status,
      headers: { 'content-type': res.headers.get('content-type') ?? 'application/json' },
    });
  };
}

const api = (f?: Fetch) => new ConsoleApi(node.tokens.auditor, { base, ...(f ? { fetch: f } : {}) });
const failed = (o: { steps: { id: string; state: string }[] }) => o.steps.find((s) => s.state === 'failed')?.id;

describe('verifyDecision', () => {
  describe('when the node answers truthfully', () => {
    it('verifies every step and says what it checked against', async () => {
      const o = await verifyDecision(api(), index);
      expect(o.error).toBeUndefined();
      expect(o.ok).toBe(true);
      expect(o.steps.every((s) => s.state === 'passed')).toBe(true);
      expect(o.treeSize).toBe(node.log.checkpoint().size);
      expect(o.rootHash).toBe(toBase64(node.log.checkpoint().rootHash));
      expect(o.origin).toBe(node.home.config.origin);
      expect(o.keyPinned).toBe(false);
    });

    it('verifies with the pinned key, and says it was pinned', async () => {
      const o = await verifyDecision(api(), index, node.home.config.verifierKey);
      expect(o.ok).toBe(true);
      expect(o.keyPinned).toBe(true);
    });
  });

  describe('when the node tampers with the inclusion proof', () => {
    it('fails at the inclusion proof with ERR_ROOT_MISMATCH', async () => {
      const flip = lying(/proofs\/inclusion/, (t) => {
        const body = JSON.parse(t) as { proof: string[] };
        const h = fromBase64(body.proof[0] as string);
        h[0] = (h[0] as number) ^ 1;
        body.proof[0] = toBase64(h);
        return JSON.stringify(body);
      });
      const o = await verifyDecision(api(flip), index);
      expect(o.ok).toBe(false);
      expect(o.error?.code).toBe('ERR_ROOT_MISMATCH');
      expect(failed(o)).toBe('inclusion');
    });
  });

  describe('when the node serves another record than the one logged', () => {
    it('fails at the record with ERR_RECORD_MISMATCH', async () => {
      const other = lying(/\/v1\/decisions\/\d+$/, (t) => t.replaceAll('"credit-scorer@3"', '"credit-scorer@4"'));
      const o = await verifyDecision(api(other), index);
      expect(o.error?.code).toBe('ERR_RECORD_MISMATCH');
      expect(failed(o)).toBe('record');
    });
  });

  describe('when the checkpoint is not signed by the pinned key', () => {
    it('fails before any proof is checked', async () => {
      const foreign = (await startTestNode()) as TestNode;
      try {
        const o = await verifyDecision(api(), index, foreign.home.config.verifierKey);
        expect(o.ok).toBe(false);
        expect(o.error?.code).toBe('ERR_NO_VERIFIED_SIGNATURE');
        expect(failed(o)).toBe('checkpoint');
      } finally {
        await foreign.close();
      }
    });
  });

  describe('when no signed checkpoint covers the entry yet', () => {
    it('says so with ERR_NO_CHECKPOINT and runs no step', async () => {
      const o = await verifyDecision(api(), 10_000);
      expect(o.error?.code).toBe('ERR_NO_CHECKPOINT');
      expect(o.steps.every((s) => s.state === 'not run')).toBe(true);
    });
  });
});
