import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, type LogStoreSpec, SCAN_BUDGET } from '../../../node/log/index.ts';
import { sealDecision } from '../../../protocol/audit/index.ts';
import { describeStores, ORIGIN, signer } from './helpers.ts';

function sealed(model: string, i: number, denied = false) {
  const s = sealDecision(
    {
      model,
      decisionId: `${model}-${i}`,
      timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      output: 'ok',
    },
    {
      now: new Date(),
      random: (n) => randomBytes(n),
      policyVersion: 1,
      verdict: denied ? { verdict: 'denied', deny: ['rule-a'] } : { verdict: 'allowed' },
    },
  );
  return { leaf: s.leafBytes, record: s.recordBytes };
}

describeStores(
  'decision search',
  (store) => {
    let spec: LogStoreSpec;
    let log: AuditLog;

    beforeAll(async () => {
      spec = await store.fresh({ suite: true }); // kept across the tests of this suite
      log = new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: 3_600_000 });
      await log.start();
      // One denied decision of model m, older than SCAN_BUDGET + 50 allowed decisions of m.
      await log.append([sealed('m', 0, true)]);
      const many = Array.from({ length: SCAN_BUDGET + 50 }, (_, i) => sealed('m', i + 1));
      await log.append(many);
      await log.append([sealed('n', 0, true)]);
    }, 120_000);

    afterAll(async () => {
      await log?.stop();
    });

    describe('AuditLog.searchDecisions', () => {
      describe('when a filter the range does not cover leaves the budget without a match', () => {
        it('answers no items and a cursor, and the next page finds the match', async () => {
          const first = await log.searchDecisions({ model: 'm', verdict: 'denied', limit: 10 });
          expect(first.items).toEqual([]);
          expect(first.next).toBeDefined();
          const second = await log.searchDecisions({ model: 'm', verdict: 'denied', limit: 10, after: first.next });
          expect(second.items.map((i) => i.leaf.decisionId)).toEqual(['m-0']);
          expect(second.next).toBeUndefined();
        });
      });

      describe('when one filter names the range', () => {
        it('reads only what it returns: the denied decisions of both models at once', async () => {
          const r = await log.searchDecisions({ verdict: 'denied', limit: 10 });
          expect(r.items.map((i) => i.leaf.decisionId)).toEqual(['n-0', 'm-0']);
        });
      });

      describe('with `below`', () => {
        it('answers only entries below that tree size', async () => {
          const r = await log.searchDecisions({ model: 'n', limit: 10, below: log.size - 1 });
          expect(r.items).toEqual([]);
          expect((await log.searchDecisions({ model: 'n', limit: 10, below: log.size })).items).toHaveLength(1);
        });
      });
    });

    describe('fsck and the search index', () => {
      it('reports a missing search key', async () => {
        await log.stop();
        const db = await store.open(spec);
        try {
          const [key] = await db.keys({ gte: 's/v/denied/', lt: 's/v/denied/~', limit: 1 }).all();
          await db.del(key as string);
        } finally {
          await db.close();
        }
        const started = new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: 3_600_000 });
        log = started;
        await started.start(); // the key is on an old entry: the tail check keeps the index, fsck must see it
        const r = await started.fsck();
        expect(r.ok).toBe(false);
        expect(r.problems.join('\n')).toMatch(/lookup index: s\/ key of entry 0 is missing/);
        expect(r.findings.map((f) => f.code)).toContain('FSCK_INDEX_KEY_MISSING');
      }, 60_000);
    });
  },
  { shared: true },
);
