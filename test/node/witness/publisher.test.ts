import { afterEach, describe, expect, it } from 'vitest';
import { checkCheckpointBody } from '../../../protocol/witness/gossip.ts';
import { type Rig, type RigNode, startRig, until } from './rig.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const sizes = (n: RigNode) =>
  n.published.filter((p) => p.kind === 'checkpoint').map((p) => checkCheckpointBody(p.body).checkpoint.size);

const requests = async (n: RigNode, result: string): Promise<number> => {
  const text = await n.registry.getSingleMetricAsString('govfed_witness_requests_total');
  return Number(new RegExp(`result="${result}"} (\\d+)`).exec(text)?.[1] ?? 0);
};

describe('CheckpointPublisher (through WitnessService)', () => {
  describe('when the log signs new checkpoints', () => {
    it('takes each to the witnesses and gossips each witnessed size once, with its cosignature, in order', async () => {
      rig = await startRig([0, 1], { witness: 1 });
      const a = rig.nodes[0] as RigNode;
      await rig.grow(0, 2);
      await rig.grow(0, 2);
      const last = await rig.grow(0, 2);
      await until('the newest checkpoint to go out', () => sizes(a).includes(last));
      const out = sizes(a);
      expect(out).toEqual([...new Set(out)].sort((x, y) => x - y));
      for (const p of a.published.filter((x) => x.kind === 'checkpoint')) {
        expect(checkCheckpointBody(p.body).signatures).toHaveLength(2); // the log's and b's
      }
    });
  });

  describe('while its checkpoint is not witnessed', () => {
    it('asks again on a sync round; once witnessed, it asks and gossips nothing more', async () => {
      rig = await startRig([0, 1], { witness: 1 });
      const [a, b] = rig.nodes as [RigNode, RigNode];
      b.down = true;
      const size = await rig.grow(0, 3);
      await until('the request to fail', async () => (await requests(a, 'failed')) > 0);
      const failed = await requests(a, 'failed');
      await a.witness.onSyncRound();
      await until('a second request', async () => (await requests(a, 'failed')) === failed + 1);
      expect(sizes(a)).not.toContain(size);
      b.down = false;
      await a.witness.onSyncRound();
      await until('a to hold its checkpoint witnessed', () =>
        a.witness.origins().some((o) => o.origin === a.origin && o.witnessedSize === size),
      );
      await until('a to gossip it', () => sizes(a).includes(size));
      const asked = (await requests(a, 'cosigned')) + (await requests(a, 'failed'));
      const gossiped = sizes(a).length;
      await a.witness.onSyncRound();
      await new Promise((r) => setTimeout(r, 300));
      expect((await requests(a, 'cosigned')) + (await requests(a, 'failed'))).toBe(asked);
      expect(sizes(a).length).toBe(gossiped);
    });
  });
});
