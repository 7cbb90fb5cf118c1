import { afterEach, describe, expect, it } from 'vitest';
import { formatSignatureLine, type NoteSignature, parseNote } from '../../../protocol/note/index.ts';
import { checkCosignatureBody } from '../../../protocol/witness/gossip.ts';
import { type Rig, type RigNode, startRig, until } from './rig.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const code = (c: string) => expect.objectContaining({ code: c });

/**
 * Three members, k = 2, no automatic gossip: a grew to `size`; `cosignBy(w)` hands a's checkpoint to w
 * and returns w's cosignature body.
 */
async function manual() {
  rig = await startRig([0, 1, 2], { witness: 2 });
  rig.deliver = false;
  const r = rig;
  const [a, b, c] = rig.nodes as [RigNode, RigNode, RigNode];
  const size = await rig.grow(0, 4);
  const note = a.log.checkpoint().note;
  async function cosignBy(w: RigNode): Promise<Record<string, unknown>> {
    w.witness.gossip.checkpoint?.(r.message(0, 'checkpoint', { note }), a.peerId);
    let body: Record<string, unknown> | undefined;
    await until(`${w.org} to cosign`, () => {
      body = w.published.find((p) => p.kind === 'cosignature')?.body;
      return body !== undefined;
    });
    return body as Record<string, unknown>;
  }
  return { a, b, c, size, cosignBy };
}

describe('CosignatureCollector (through WitnessService)', () => {
  describe("when other members' cosignatures of a checkpoint arrive one by one", () => {
    it('serves them with the checkpoint, and makes it witnessed at k = 2, not before', async () => {
      const { a, b, c, size, cosignBy } = await manual();
      const r = rig as Rig;
      const own = () => a.witness.origins().find((o) => o.origin === a.origin);
      const served = () => parseNote(a.witness.checkpointWithCosignatures()).signatures.length;
      await until('a to start collecting its checkpoint', () => {
        void a.witness.onSyncRound();
        return a.published.some((p) => p.kind === 'checkpoint');
      });
      a.witness.gossip.cosignature?.(r.message(1, 'cosignature', await cosignBy(b)), b.peerId);
      await until('a to collect b', () => served() === 2);
      expect(own()?.witnessedSize).toBeNull();
      a.witness.gossip.cosignature?.(r.message(2, 'cosignature', await cosignBy(c)), c.peerId);
      await until('a to hold its checkpoint witnessed', () => own()?.witnessedSize === size);
      expect(own()?.cosignatures).toBe(2);
      expect(served()).toBe(3);
      expect(a.events.some((e) => e.event === 'witness:witnessed' && e.fields.origin === a.origin)).toBe(true);
      expect(await a.registry.getSingleMetricAsString('govfed_witnessed_lag_seconds')).toMatch(/ \d/);
    });
  });

  describe('when a cosignature gossip is not by its sender’s witness, or is forged (attacker-controlled)', () => {
    it('is refused with a code and nothing is collected', async () => {
      const { a, b, c, cosignBy } = await manual();
      const r = rig as Rig;
      const body = await cosignBy(b);
      expect(checkCosignatureBody(body).signatures).toHaveLength(2);
      const gossip = (from: number, x: Record<string, unknown>) => () =>
        c.witness.gossip.cosignature?.(r.message(from, 'cosignature', x), '');
      // b's cosignature relayed by the log's owner (a), or by another member (c has no line in it)
      expect(gossip(0, body)).toThrow(code('ERR_UNKNOWN_WITNESS'));
      expect(gossip(2, body)).toThrow(code('ERR_UNKNOWN_WITNESS'));
      // b's line with a flipped signature bit
      const { text, signatures } = parseNote(body.note as string);
      const [logSig, line] = signatures as [NoteSignature, NoteSignature];
      const flipped = { ...line, signature: line.signature.map((x, i) => (i === 20 ? x ^ 1 : x)) };
      const forged = `${text}\n${formatSignatureLine(logSig)}${formatSignatureLine(flipped)}`;
      expect(gossip(1, { note: forged })).toThrow(code('ERR_BAD_SIGNATURE'));
      // the compact body {origin, size, rootHash, cosignature} is not the wire format
      const lines = text.split('\n');
      expect(
        gossip(1, {
          origin: lines[0],
          size: Number(lines[1]),
          rootHash: lines[2],
          cosignature: formatSignatureLine(line),
        }),
      ).toThrow(code('ERR_MALFORMED_GOSSIP'));
      await new Promise((res) => setTimeout(res, 50));
      expect(c.witness.origins().find((o) => o.origin === a.origin)?.cosignatures).toBe(0);
    });
  });
});
