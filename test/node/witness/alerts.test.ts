import { afterEach, describe, expect, it } from 'vitest';
import { signCheckpoint } from '../../../protocol/note/index.ts';
import { EQUIVOCATION_TYPE, signAlert } from '../../../protocol/witness/evidence.ts';
import { alertBody } from '../../../protocol/witness/gossip.ts';
import { logName, logSigner, peerSeed } from '../../protocol/witness/fixtures.ts';
import { type Rig, type RigNode, startRig } from './rig.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const code = (c: string) => expect.objectContaining({ code: c });
const note = (size: number, fill: number) =>
  signCheckpoint({ origin: logName(0), size, rootHash: new Uint8Array(32).fill(fill), extensions: [] }, logSigner(0));

describe('Alerts (through WitnessService)', () => {
  describe('when a member gossips real evidence signed with its peer key', () => {
    it('is verified, recorded once, logged as a witness.equivocation leaf, and marks the origin', async () => {
      rig = await startRig([0, 1, 2], { witness: 2 });
      rig.deliver = false;
      const [a, b, c] = rig.nodes as [RigNode, RigNode, RigNode];
      const env = signAlert(
        { type: EQUIVOCATION_TYPE, origin: a.origin, a: note(5, 1), b: note(5, 2), proof: [] },
        peerSeed(2),
      );
      const size = c.log.size;
      const msg = rig.message(2, 'alert', alertBody(env));
      expect(b.witness.gossip.alert?.(msg, c.peerId)).toEqual({ result: 'accept' });
      b.witness.gossip.alert?.(rig.message(2, 'alert', alertBody(env)), c.peerId);
      await b.witness.stop(); // lets the queued work finish
      await b.witness.start();
      expect(b.witness.isMisbehaving(a.origin)).toBe(true);
      expect(b.witness.status()).toMatchObject({ alerts: 1, misbehaving: [a.origin] });
      expect(b.log.size).toBe(size + 1);
      expect(b.events.filter((e) => e.event === 'witness:equivocation')).toHaveLength(1);
    });
  });

  describe('when the "evidence" is not evidence, or the body is malformed (attacker-controlled)', () => {
    it('is refused with a code and the origin stays honest', async () => {
      rig = await startRig([0, 1, 2], { witness: 2 });
      rig.deliver = false;
      const [a, b] = rig.nodes as [RigNode, RigNode, RigNode];
      const r = rig;
      const gossip = (body: Record<string, unknown>) => () => b.witness.gossip.alert?.(r.message(2, 'alert', body), '');
      // two notes of one size and one root: consistent, not equivocation
      const same = signAlert(
        { type: EQUIVOCATION_TYPE, origin: a.origin, a: note(5, 1), b: note(5, 1), proof: [] },
        peerSeed(2),
      );
      expect(gossip(alertBody(same))).toThrow(code('ERR_NOT_EQUIVOCATION'));
      // signed by a peer key other than the sender's
      const other = signAlert(
        { type: EQUIVOCATION_TYPE, origin: a.origin, a: note(5, 1), b: note(5, 2), proof: [] },
        peerSeed(5),
      );
      expect(gossip(alertBody(other))).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_/) }));
      expect(gossip({ envelope: { payloadType: 'x' } })).toThrow(code('ERR_MALFORMED_GOSSIP'));
      expect(gossip({})).toThrow(code('ERR_MALFORMED_GOSSIP'));
      expect(b.witness.isMisbehaving(a.origin)).toBe(false);
    });
  });
});
