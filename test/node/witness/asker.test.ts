import { afterEach, describe, expect, it } from 'vitest';
import { type Rig, type RigNode, startRig, until } from './rig.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

/** How many add-checkpoint requests each witness has answered for `origin` (its cosigned events). */
const cosignedBy = (nodes: readonly RigNode[], origin: string) =>
  Object.fromEntries(
    nodes.map((n) => [
      n.org,
      n.events.filter((e) => e.event === 'witness:cosigned' && e.fields.origin === origin).length,
    ]),
  );

const witnessedAt = (a: RigNode) => a.witness.origins().find((o) => o.origin === a.origin)?.witnessedSize ?? null;

describe('WitnessAsker (through WitnessService)', () => {
  describe('when six members witness a log with k = 2', () => {
    it('asks k + 1 witnesses per checkpoint, not all five, and every one of them in turn', async () => {
      rig = await startRig([0, 1, 2, 3, 4, 5], { witness: 2 });
      const [a, ...witnesses] = rig.nodes as [RigNode, ...RigNode[]];
      const sizes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const size = await rig.grow(0, 1);
        sizes.push(size);
        await until(`checkpoint ${size} witnessed`, () => witnessedAt(a) === size);
      }
      await new Promise((r) => setTimeout(r, 100));
      const text = await a.registry.getSingleMetricAsString('govfed_witness_requests_total');
      const requests = Number(/result="cosigned"} (\d+)/.exec(text)?.[1]);
      // the first checkpoint (size 0, at start) and the five grown: at most 3 requests each
      expect(requests).toBeLessThanOrEqual(3 * (sizes.length + 1));
      expect(requests).toBeGreaterThanOrEqual(2 * sizes.length);
      // the choice rotates with the size: every witness was asked
      const counts = cosignedBy(witnesses, a.origin);
      for (const w of witnesses) expect(counts[w.org], w.org).toBeGreaterThan(0);
    });
  });

  describe('when witnesses fail', () => {
    it('asks the next ones until k have cosigned; the failing ones are asked last next time', async () => {
      rig = await startRig([0, 1, 2, 3, 4, 5], { witness: 2 });
      const [a, b, c, d] = rig.nodes as [RigNode, RigNode, RigNode, RigNode, ...RigNode[]];
      for (const w of [b, c, d]) w.down = true; // three of five witnesses unreachable
      const size = await rig.grow(0, 2);
      await until('witnessed by the two reachable ones', () => witnessedAt(a) === size);
      const failed = a.events.filter((e) => e.event === 'witness:ask-failed').map((e) => e.fields.witness);
      expect(new Set(failed).size).toBe(failed.length); // each reported once
      // the next checkpoint goes to the reachable witnesses first: witnessed without a new failure
      const before = a.events.filter((e) => e.event === 'witness:ask-failed').length;
      const next = await rig.grow(0, 2);
      await until('the next one witnessed', () => witnessedAt(a) === next);
      const text = await a.registry.getSingleMetricAsString('govfed_witness_requests_total');
      expect(a.events.filter((e) => e.event === 'witness:ask-failed').length).toBe(before);
      expect(text).toMatch(/result="failed"} [1-9]/);
    });
  });
});
