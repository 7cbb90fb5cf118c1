import { afterEach, describe, expect, it } from 'vitest';
import { PUBLISH_MIN_MS } from '../../../node/witness/index.ts';
import { checkCheckpointBody } from '../../../protocol/witness/gossip.ts';
import { type Rig, type RigNode, startRig, until } from './rig.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const sizes = (n: RigNode) =>
  n.published.filter((p) => p.kind === 'checkpoint').map((p) => checkCheckpointBody(p.body).checkpoint.size);

describe('CheckpointPublisher (through WitnessService)', () => {
  describe('when the log signs new checkpoints', () => {
    it('gossips each as a {note} body, at most one per PUBLISH_MIN_MS, the newest last', async () => {
      rig = await startRig([0, 1], { witness: 1 });
      rig.deliver = false;
      const a = rig.nodes[0] as RigNode;
      await until('the first checkpoint to go out', () => sizes(a).length > 0);
      await rig.grow(0, 2);
      await rig.grow(0, 2);
      const last = await rig.grow(0, 2);
      await until('the newest checkpoint to go out', () => sizes(a).includes(last));
      const out = sizes(a);
      expect(out).toEqual([...out].sort((x, y) => x - y));
      // never two gossips of the checkpoint closer than PUBLISH_MIN_MS
      const times = a.published.filter((p) => p.kind === 'checkpoint').map((p) => p.at);
      for (let i = 1; i < times.length; i++) {
        expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(PUBLISH_MIN_MS);
      }
    });
  });

  describe('while its checkpoint is not witnessed', () => {
    it('sends it again on a sync round; once witnessed, it does not', async () => {
      rig = await startRig([0, 1], { witness: 1 });
      rig.deliver = false;
      const a = rig.nodes[0] as RigNode;
      const size = await rig.grow(0, 3);
      await until('the checkpoint to go out', () => sizes(a).includes(size));
      const n = sizes(a).length;
      await new Promise((r) => setTimeout(r, PUBLISH_MIN_MS));
      await a.witness.onSyncRound();
      expect(sizes(a).length).toBe(n + 1);
      // let b cosign it and a collect the cosignature: witnessed at k = 1
      rig.deliver = true;
      await new Promise((r) => setTimeout(r, PUBLISH_MIN_MS));
      await a.witness.onSyncRound();
      await until('a to hold its checkpoint witnessed', () =>
        a.witness.origins().some((o) => o.origin === a.origin && o.witnessedSize === size),
      );
      const m = sizes(a).length;
      await new Promise((r) => setTimeout(r, PUBLISH_MIN_MS));
      await a.witness.onSyncRound();
      expect(sizes(a).length).toBe(m);
    });
  });
});
