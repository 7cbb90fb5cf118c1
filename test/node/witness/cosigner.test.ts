import { afterEach, describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { isGovfedError } from '../../../protocol/errors.ts';
import { signCheckpoint } from '../../../protocol/note/index.ts';
import { checkCosignatureBody } from '../../../protocol/witness/gossip.ts';
import { parseWitnessKey } from '../../../protocol/witness/keys.ts';
import { formatAddCheckpoint } from '../../../protocol/witness/request.ts';
import { isWitnessError } from '../../../protocol/witness/witness.ts';
import { buildLog, checkpointOf, logKey, logName, logSigner, witnessKey } from '../../protocol/witness/fixtures.ts';
import { type Rig, type RigNode, startRig, until } from './rig.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const code = (c: string) => expect.objectContaining({ code: c });

/** Three members, k = 2; a (eu) grew to `size` and both others cosigned it. */
async function cosignedRig(n = 4): Promise<{ a: RigNode; b: RigNode; c: RigNode; size: number }> {
  rig = await startRig([0, 1, 2], { witness: 2 });
  const [a, b, c] = rig.nodes as [RigNode, RigNode, RigNode];
  const size = await rig.grow(0, n);
  for (const w of [b, c]) {
    await until(`${w.org} to cosign a's ${size}`, () =>
      w.witness.origins().some((o) => o.origin === a.origin && o.cosignedSize === size),
    );
  }
  return { a, b, c, size };
}

/** a's log key signing a checkpoint of `size` whose root is not a's tree: what an equivocating a shows. */
function forkedNote(size: number): string {
  return signCheckpoint(
    { origin: logName(0), size, rootHash: new Uint8Array(32).fill(7), extensions: [] },
    logSigner(0),
  );
}

describe('Cosigner (through WitnessService)', () => {
  describe('when a checkpoint gossip is malformed or forged (attacker-controlled)', () => {
    it('is refused by the validator with a code, and nothing is cosigned', async () => {
      const { b, size } = await cosignedRig();
      const r = rig as Rig;
      const gossip = (body: Record<string, unknown>) => () =>
        b.witness.gossip.checkpoint?.(r.message(0, 'checkpoint', body), '');
      const real = b.witness.origins().find((o) => o.org === 'eu');
      // not a note / extra keys / the root changed under a's signature / a log no member owns
      expect(gossip({ note: 'x' })).toThrow(code('ERR_MALFORMED_GOSSIP'));
      expect(gossip({ note: forkedNote(size), extra: 1 })).toThrow(code('ERR_MALFORMED_GOSSIP'));
      const note = forkedNote(size);
      const lines = note.split('\n');
      lines[1] = String(size + 1);
      expect(gossip({ note: lines.join('\n') })).toThrow(code('ERR_BAD_SIGNATURE'));
      expect(gossip({ note: checkpointOf(5, buildLog(3), 3) })).toThrow(code('ERR_UNKNOWN_ORIGIN'));
      expect(b.witness.origins().find((o) => o.org === 'eu')).toEqual(real);
    });
  });

  describe('when the log shows another tree of a size already cosigned', () => {
    it('raises an alert: every member marks the origin, logs it and cosigns no more for it', async () => {
      const { a, b, c, size } = await cosignedRig();
      const bSize = b.log.size;
      // a (its log key) gossips a second checkpoint of the same size with another root
      b.witness.gossip.checkpoint?.((rig as Rig).message(0, 'checkpoint', { note: forkedNote(size) }), a.peerId);
      for (const n of [b, c]) {
        await until(`${n.org} to mark a`, () => n.witness.isMisbehaving(a.origin));
      }
      expect(b.published.filter((p) => p.kind === 'alert')).toHaveLength(1);
      expect(b.events.some((e) => e.event === 'witness:equivocation' && e.fields.origin === a.origin)).toBe(true);
      await until('b to log the alert', () => b.log.size === bSize + 1);
      expect(await b.registry.getSingleMetricAsString('govfed_witness_equivocations_total')).toMatch(/ 1$/m);
      const eu = (rig as Rig).chain.current.members.find((m) => m.org === 'eu');
      expect(eu && b.witness.memberStatus(eu)).toEqual({ misbehaving: true });
      // the HTTP witness refuses the log too
      const body = formatAddCheckpoint({ oldSize: size, proof: [], note: (await a.log.checkpointNow()).note });
      await expect(b.witness.addCheckpoint(utf8(body))).rejects.toThrow(code('ERR_EQUIVOCATION'));
      // the same evidence again is not recorded twice
      const alert = b.published.find((p) => p.kind === 'alert');
      c.witness.gossip.alert?.((rig as Rig).message(1, 'alert', alert?.body as Record<string, unknown>), b.peerId);
      await new Promise((r) => setTimeout(r, 100));
      expect((b.witness.status() as { alerts: number }).alerts).toBe(1);
      expect((c.witness.status() as { alerts: number }).alerts).toBe(1);
    });
  });

  describe("when the log's node cannot be reached for a consistency proof", () => {
    it('reports proof-unavailable, keeps the checkpoint, and cosigns it on the next sync round', async () => {
      const { a, b, c } = await cosignedRig();
      a.down = true;
      const size = await (rig as Rig).grow(0, 3);
      await until('b to miss the proof', () =>
        b.events.some((e) => e.event === 'witness:proof-unavailable' && e.fields.size === size),
      );
      expect(b.witness.origins().find((o) => o.org === 'eu')?.cosignedSize).toBeLessThan(size);
      a.down = false;
      await b.witness.onSyncRound();
      await until('b to cosign after the retry', () =>
        b.witness.origins().some((o) => o.org === 'eu' && o.cosignedSize === size),
      );
      expect(c.refused).toEqual([]);
    });
  });

  describe("while a proof fetch from the log's node hangs (the node is down, the dial times out)", () => {
    it('answers a tlog-witness add-checkpoint about that log at once: the fetch holds no queue', async () => {
      const { a, b, size: old } = await cosignedRig();
      a.hangMs = 4000;
      const size = await (rig as Rig).grow(0, 3);
      const published = () =>
        a.published.find((p) => p.kind === 'checkpoint' && String(p.body.note).includes(`\n${size}\n`));
      await until(`a to gossip its checkpoint of ${size}`, () => published() !== undefined);
      const gossiped = published()?.body.note as string; // b received it and is now fetching a proof from a
      const proof = await a.log.proveConsistency(old, size);
      const started = Date.now();
      const lines = await b.witness.addCheckpoint(utf8(formatAddCheckpoint({ oldSize: old, proof, note: gossiped })));
      const took = Date.now() - started;
      expect(lines.startsWith(`— ${parseWitnessKey(witnessKey(1)).name} `)).toBe(true);
      expect(took).toBeLessThan(2000); // before: it waited behind the fetch (4 s)
      expect(b.witness.origins().find((o) => o.org === 'eu')?.cosignedSize).toBe(size);
      // the fetch still ends in proof-unavailable, and then nothing is cosigned twice
      await until(
        'the hanging fetch to fail',
        () => b.events.some((e) => e.event === 'witness:proof-unavailable' && e.fields.size === size),
        8000,
      );
      expect(b.events.filter((e) => e.event === 'witness:cosigned' && e.fields.size === size)).toHaveLength(1);
    }, 15_000);
  });

  describe('after RESEND_COSIGNATURES_ROUNDS sync rounds', () => {
    it('gossips its newest cosignature of each other log again, as a {note} body', async () => {
      const { b, size } = await cosignedRig();
      await until("b to cosign c's first checkpoint", () =>
        b.witness.origins().some((o) => o.origin === logName(2) && o.cosignedSize !== null),
      );
      (rig as Rig).deliver = false;
      const before = b.published.length;
      for (let i = 0; i < 6; i++) await b.witness.onSyncRound();
      const again = b.published.slice(before).filter((p) => p.kind === 'cosignature');
      expect(again.map((p) => checkCosignatureBody(p.body).checkpoint.origin).sort()).toEqual(
        [logName(0), logName(2)].sort(),
      );
      expect(again.some((p) => checkCosignatureBody(p.body).checkpoint.size === size)).toBe(true);
    });
  });

  describe('add-checkpoint for a log outside the federation (HTTP)', () => {
    it('cosigns an external log once listed, and answers the recorded size to a stale old size', async () => {
      rig = await startRig([0, 1], { witness: 1 });
      const b = rig.nodes[1] as RigNode;
      const ext = buildLog(6);
      const req = (oldSize: number, size: number) =>
        utf8(formatAddCheckpoint({ oldSize, proof: [], note: checkpointOf(5, ext, size) }));
      await expect(b.witness.addCheckpoint(req(0, 4))).rejects.toThrow(code('ERR_UNKNOWN_ORIGIN'));
      expect(await b.witness.setExternalLogs([logKey(5), logKey(5)])).toEqual([logKey(5)]);
      expect(b.witness.externalLogs()).toEqual([logKey(5)]);
      const lines = await b.witness.addCheckpoint(req(0, 4));
      expect(lines.startsWith(`— ${parseWitnessKey(witnessKey(1)).name} `)).toBe(true);
      const stale = await b.witness.addCheckpoint(req(0, 5)).catch((e: unknown) => e);
      expect(isWitnessError(stale, 'ERR_OLD_SIZE_MISMATCH')).toBe(true);
      expect((stale as { recordedSize?: number }).recordedSize).toBe(4);
      await expect(b.witness.addCheckpoint(utf8('nope'))).rejects.toThrow(code('ERR_MALFORMED_WITNESS_REQUEST'));
      await expect(b.witness.setExternalLogs(['not a key'])).rejects.toSatisfy((e: unknown) => isGovfedError(e));
    });
  });
});
