/**
 * Paced checkpoints (node/log/paced.ts, checkpointer.ts `pacedGapMs`): on a log with a governance gap,
 * growth made only of governance entries is checkpointed at most once per gap — the first after a quiet
 * gap at the next interval, a burst once for all of it — while a decision is checkpointed at the next
 * interval however recent the last checkpoint; a shared log is never paced. Real stores, real timers: the
 * interval is 50 ms and the gap 3 s, so "not yet" is asserted well inside the gap and "at once" well
 * before its end.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../../node/log/index.ts';
import { isPacedItem } from '../../../node/log/paced.ts';
import { encodeLeaf } from '../../../protocol/audit/index.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { describeStores, items, leafBytes, ORIGIN, signer, sleep, until } from './helpers.ts';

const INTERVAL = 50;
const GAP = 3000;

let n = 0;
const governance = () => ({
  leaf: encodeLeaf({
    v: 1,
    type: 'governance',
    kind: 'federation.charter',
    time: '2027-01-01T00:00:00Z',
    digest: `sha256:${(n++).toString(16).padStart(64, '0')}`,
  }),
});

describe('isPacedItem', () => {
  it('paces governance leaves only', () => {
    expect(isPacedItem(governance())).toBe(true);
    expect(isPacedItem({ leaf: leafBytes(1) })).toBe(false); // a decision leaf
    expect(isPacedItem({ leaf: utf8('not a leaf') })).toBe(false);
  });

  it('never paces what ingest made or a shared log sequenced, whatever the leaf', () => {
    const g = governance();
    expect(isPacedItem({ ...g, leafHash: new Uint8Array(32) })).toBe(false);
    expect(isPacedItem({ ...g, keys: { fixed: [], positional: [] } as never })).toBe(false);
    expect(isPacedItem({ ...g, del: 'q/1' })).toBe(false);
  });
});

describeStores(
  'AuditLog with a governance checkpoint gap',
  (store) => {
    async function started(): Promise<{ log: AuditLog; shared: boolean }> {
      const spec = await store.fresh();
      const log = new AuditLog({
        signer,
        origin: ORIGIN,
        store: spec,
        checkpointIntervalMs: INTERVAL,
        governanceCheckpointGapMs: GAP,
      });
      await log.start();
      return { log, shared: spec.driver === 'postgres' && spec.shared === true };
    }
    const covered = (log: AuditLog) => log.checkpoint().size === log.size;

    it('checkpoints a governance entry after a quiet gap at once, and a burst once per gap (a shared log: each at once)', async () => {
      const { log, shared } = await started();
      try {
        await log.append([governance()]);
        await until(() => covered(log), GAP - 500); // the first: no growth signed by this run yet
        const first = performance.now();
        const size = log.checkpoint().size;
        for (let i = 0; i < 5; i++) await log.append([governance()]);
        if (shared) {
          // The leader integrates every process's entries, decisions among them: never paced.
          await until(() => covered(log), GAP - 500);
          return;
        }
        await sleep(600);
        expect(log.checkpoint().size).toBe(size); // inside the gap: waiting
        await until(() => covered(log), 15_000);
        expect(performance.now() - first).toBeGreaterThanOrEqual(GAP - 20);
        expect(log.checkpoint().size).toBe(size + 5); // the burst under one checkpoint
      } finally {
        await log.stop();
      }
    });

    it('checkpoints a decision at the next interval, however recent the last checkpoint', async () => {
      const { log } = await started();
      try {
        await log.append([governance()]);
        await until(() => covered(log), GAP - 500);
        const signed = performance.now();
        await log.append([governance(), ...items(0, 1)]); // a decision in the batch: not paced
        await until(() => covered(log), GAP - 500);
        expect(performance.now() - signed).toBeLessThan(GAP);
        await log.append(items(1, 1));
        await until(() => covered(log), GAP - 500);
      } finally {
        await log.stop();
      }
    });
  },
  { shared: true },
);
