import { afterEach, describe, expect, it } from 'vitest';
import { formatSignatureLine, type NoteSignature, parseNote } from '../../../protocol/note/index.ts';
import { checkCheckpointBody } from '../../../protocol/witness/gossip.ts';
import { type Rig, type RigNode, startRig, until } from './rig.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const code = (c: string) => expect.objectContaining({ code: c });

describe('CosignatureCollector (through WitnessService)', () => {
  describe("when the witnesses' cosignatures of a checkpoint come in one by one", () => {
    it('serves them with the checkpoint, and makes it witnessed at k = 2, not before', async () => {
      rig = await startRig([0, 1, 2], { witness: 2 });
      const [a, b] = rig.nodes as [RigNode, RigNode, RigNode];
      b.down = true; // a's request to b fails; c answers
      const size = await rig.grow(0, 4);
      const own = () => a.witness.origins().find((o) => o.origin === a.origin);
      const served = () => parseNote(a.witness.checkpointWithCosignatures()).signatures.length;
      await until(
        'a to collect c',
        () => served() === 2 && parseNote(a.witness.checkpointWithCosignatures()).text.includes(`\n${size}\n`),
      );
      expect(own()?.witnessedSize ?? null).not.toBe(size);
      expect(a.published.filter((p) => p.kind === 'checkpoint' && String(p.body.note).includes(`\n${size}\n`))).toEqual(
        [],
      );
      b.down = false;
      await a.witness.onSyncRound();
      await until('a to hold its checkpoint witnessed', () => own()?.witnessedSize === size);
      expect(own()?.cosignatures).toBe(2);
      expect(served()).toBe(3);
      expect(a.events.some((e) => e.event === 'witness:witnessed' && e.fields.origin === a.origin)).toBe(true);
      expect(await a.registry.getSingleMetricAsString('govfed_witnessed_lag_seconds')).toMatch(/ \d/);
      // gossiped once, with both cosignatures
      await until('a to gossip it', () => a.published.some((p) => p.kind === 'checkpoint'));
      const out = a.published.filter((p) => p.kind === 'checkpoint').map((p) => checkCheckpointBody(p.body));
      expect(out.filter((x) => x.checkpoint.size === size)).toHaveLength(1);
      expect(out.find((x) => x.checkpoint.size === size)?.signatures).toHaveLength(3);
    });
  });

  describe('when a witnessed checkpoint gossip carries a forged or foreign line (attacker-controlled)', () => {
    it('is refused with a code and nothing is collected; the genuine one is', async () => {
      rig = await startRig([0, 1, 2], { witness: 1 });
      rig.deliver = false; // a's gossip reaches nobody: the test hands it over
      const r = rig;
      const [a, , c] = rig.nodes as [RigNode, RigNode, RigNode];
      c.down = true; // only b cosigns a's checkpoint, so c holds nothing of it
      const size = await rig.grow(0, 4);
      await until('a to gossip its witnessed checkpoint', () =>
        a.published.some((p) => p.kind === 'checkpoint' && String(p.body.note).includes(`\n${size}\n`)),
      );
      const note = a.published.find((p) => p.kind === 'checkpoint' && String(p.body.note).includes(`\n${size}\n`))?.body
        .note as string;
      const { text, signatures } = parseNote(note);
      const [logSig, line] = signatures as [NoteSignature, NoteSignature];
      const gossip = (x: Record<string, unknown>) => () =>
        c.witness.gossip.checkpoint?.(r.message(0, 'checkpoint', x), '');
      const cWitnessed = () => c.witness.origins().find((o) => o.origin === a.origin)?.witnessedSize ?? null;
      // b's line with a flipped signature bit
      const flipped = { ...line, signature: line.signature.map((x, i) => (i === 20 ? x ^ 1 : x)) };
      expect(gossip({ note: `${text}\n${formatSignatureLine(logSig)}${formatSignatureLine(flipped)}` })).toThrow(
        code('ERR_BAD_SIGNATURE'),
      );
      // b's cosignature without the log's signature
      expect(gossip({ note: `${text}\n${formatSignatureLine(line)}` })).toThrow();
      // the compact form is not the wire format
      expect(gossip({ origin: a.origin, size, cosignature: formatSignatureLine(line) })).toThrow(
        code('ERR_MALFORMED_GOSSIP'),
      );
      await new Promise((res) => setTimeout(res, 50));
      expect(cWitnessed()).toBeNull();
      // the genuine note: witnessed at c too (k = 1)
      expect(gossip({ note })()).toEqual({ result: 'accept' });
      await until('c to hold it witnessed', () => cWitnessed() === size);
    });
  });
});
