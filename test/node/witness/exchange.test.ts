import { afterEach, describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { signCheckpoint } from '../../../protocol/note/index.ts';
import { formatAddCheckpoint } from '../../../protocol/witness/request.ts';
import { logName, logSigner } from '../../protocol/witness/fixtures.ts';
import { type Rig, type RigNode, startRig, until } from './rig.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const witnessedOf = (n: RigNode, origin: string) =>
  n.witness.origins().find((o) => o.origin === origin)?.witnessedSize ?? null;

describe('WitnessExchange (get-witnessed, through WitnessService)', () => {
  describe('when two witnesses were shown different checkpoints of one size (a split view)', () => {
    it('the first sync round that pairs them raises the alert, with no gossip between them', async () => {
      rig = await startRig([0, 1, 2], { witness: 1 });
      const [a, b, c] = rig.nodes as [RigNode, RigNode, RigNode];
      rig.deliver = false; // no gossip: c never hears of a's real checkpoint
      c.down = true; // a cannot reach c: only b cosigns a's real checkpoint
      const size = await rig.grow(0, 4);
      await until("b to cosign a's checkpoint", () =>
        b.witness.origins().some((o) => o.origin === a.origin && o.cosignedSize === size),
      );
      // a's log key signs another tree of that size, shown to c alone
      const fork = signCheckpoint(
        { origin: logName(0), size, rootHash: new Uint8Array(32).fill(9), extensions: [] },
        logSigner(0),
      );
      const state = c.witness.origins().find((o) => o.origin === a.origin)?.cosignedSize ?? 0;
      expect(state).toBeLessThan(size);
      await c.witness.addCheckpoint(utf8(formatAddCheckpoint({ oldSize: state, proof: [], note: fork })));
      expect(b.witness.isMisbehaving(a.origin) || c.witness.isMisbehaving(a.origin)).toBe(false);
      c.down = false;
      await b.witness.onSyncRound([c.peerId]);
      await until('b to flag a', () => b.witness.isMisbehaving(a.origin));
      expect(b.events.some((e) => e.event === 'witness:equivocation' && e.fields.origin === a.origin)).toBe(true);
      await c.witness.onSyncRound([b.peerId]);
      await until('c to flag a', () => c.witness.isMisbehaving(a.origin));
    });
  });

  describe('when a node missed a witnessed checkpoint gossip', () => {
    it('catches up from a peer: the cosignatures are verified and collected', async () => {
      rig = await startRig([0, 1, 2], { witness: 2 });
      rig.deliver = false; // nobody hears a's gossip
      const [a, , c] = rig.nodes as [RigNode, RigNode, RigNode];
      const size = await rig.grow(0, 4);
      await until("a's checkpoint witnessed at a", () => witnessedOf(a, a.origin) === size);
      expect(witnessedOf(c, a.origin)).not.toBe(size); // c holds its own cosignature only: 1 of 2
      await c.witness.onSyncRound([a.peerId]);
      await until('c to hold it witnessed', () => witnessedOf(c, a.origin) === size);
      expect(c.witness.origins().find((o) => o.origin === a.origin)?.cosignatures).toBe(2);
      expect(c.events.filter((e) => e.event === 'witness:bad-note')).toEqual([]);
    });
  });

  describe('when the peer cannot be reached', () => {
    it('reports the failed exchange and goes on', async () => {
      rig = await startRig([0, 1], { witness: 1 });
      const [a, b] = rig.nodes as [RigNode, RigNode];
      b.down = true;
      await a.witness.onSyncRound([b.peerId]);
      expect(a.events.some((e) => e.event === 'witness:exchange-failed' && e.fields.peer === b.peerId)).toBe(true);
    });
  });
});
