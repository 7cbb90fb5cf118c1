import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { opensslVerify } from '../../../node/crypto/ed25519.ts';
import { WitnessService } from '../../../node/witness/index.ts';
import type { Ed25519Verify } from '../../../protocol/crypto/ed25519.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { isGovfedError } from '../../../protocol/errors.ts';
import { signCheckpoint } from '../../../protocol/note/index.ts';
import { parseWitnessKey } from '../../../protocol/witness/keys.ts';
import { formatAddCheckpoint } from '../../../protocol/witness/request.ts';
import { isWitnessError } from '../../../protocol/witness/witness.ts';
import { buildLog, checkpointOf, logKey, logName, logSigner, witnessKey } from '../../protocol/witness/fixtures.ts';
import { items } from '../log/helpers.ts';
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

  describe('when a witness cannot be reached', () => {
    it("the log's node reports it once, asks again each sync round, and the witness cosigns once back", async () => {
      const { a, b, c } = await cosignedRig();
      b.down = true;
      await (rig as Rig).grow(0, 3);
      const size = await (rig as Rig).grow(0, 3);
      await until('c to cosign the newest', () =>
        c.witness.origins().some((o) => o.org === 'eu' && o.cosignedSize === size),
      );
      await until('a to report b unreachable', () =>
        a.events.some((e) => e.event === 'witness:ask-failed' && e.fields.witness === 'us'),
      );
      await a.witness.onSyncRound();
      await new Promise((r) => setTimeout(r, 50));
      expect(a.events.filter((e) => e.event === 'witness:ask-failed')).toHaveLength(1);
      expect(await a.registry.getSingleMetricAsString('govfed_witness_requests_total')).toMatch(
        /result="failed"} [2-9]/,
      );
      expect(b.witness.origins().find((o) => o.org === 'eu')?.cosignedSize).toBeLessThan(size);
      b.down = false;
      await a.witness.onSyncRound();
      await until('b to cosign after the retry', () =>
        b.witness.origins().some((o) => o.org === 'eu' && o.cosignedSize === size),
      );
      await until("a's checkpoint witnessed", () =>
        a.witness.origins().some((o) => o.origin === a.origin && o.witnessedSize === size),
      );
    });
  });

  describe('while a request to one witness hangs (its node is down, the dial times out)', () => {
    it('the others answer meanwhile, and the hanging witness has one request in flight, not one per checkpoint', async () => {
      rig = await startRig([0, 1, 2], { witness: 1 });
      const [a, b, c] = rig.nodes as [RigNode, RigNode, RigNode];
      await until('the first round to end', () =>
        b.witness.origins().some((o) => o.origin === a.origin && o.cosignedSize !== null),
      );
      b.hangMs = 1500;
      const started = Date.now();
      await rig.grow(0, 2);
      await rig.grow(0, 2);
      const size = await rig.grow(0, 2);
      await until("a's checkpoint witnessed by c", () =>
        a.witness.origins().some((o) => o.origin === a.origin && o.witnessedSize === size),
      );
      expect(Date.now() - started).toBeLessThan(1500);
      expect(c.witness.origins().find((o) => o.origin === a.origin)?.cosignedSize).toBe(size);
      await until('the hanging request to fail', () => a.events.some((e) => e.event === 'witness:ask-failed'), 4000);
      expect(await a.registry.getSingleMetricAsString('govfed_witness_requests_total')).toMatch(/result="failed"} 1$/m);
    });
  });

  describe('when asked again for the checkpoint it last cosigned', () => {
    it('answers with the same cosignature: nothing signed or stored anew', async () => {
      const { a, b, size } = await cosignedRig();
      const note = (await a.log.checkpointNow()).note;
      const req = utf8(formatAddCheckpoint({ oldSize: size, proof: [], note }));
      const first = await b.witness.addCheckpoint(req);
      await new Promise((r) => setTimeout(r, 1100)); // a cosignature/v1 timestamp has 1 s resolution
      expect(await b.witness.addCheckpoint(req)).toBe(first);
      expect(a.witness.checkpointWithCosignatures()).toContain(first);
      expect(b.events.filter((e) => e.event === 'witness:cosigned' && e.fields.size === size)).toHaveLength(1);
    });
  });

  describe("when a member's add-checkpoint request arrives (issue 17: what one costs the witness)", () => {
    it("verifies the log's signature at most twice — once for the conflict check, once in the tlog-witness rule", async () => {
      let checked = 0;
      const counting: Ed25519Verify = (sig, msg, key) => {
        checked += 1;
        return opensslVerify(sig, msg, key);
      };
      rig = await startRig([0, 1, 2], {
        witness: 2,
        start: false,
        verify: (org) => (org === 'us' ? counting : undefined),
      });
      const [a, b] = rig.nodes as [RigNode, RigNode];
      await b.witness.start(); // a's publisher is not started: b is asked here only
      b.witness.onCharter(rig.chain);
      await a.log.append(items(0, 4));
      const note = (await a.log.checkpointNow()).note;
      checked = 0;
      const lines = await b.witness.addCheckpoint(utf8(formatAddCheckpoint({ oldSize: 0, proof: [], note })));
      expect(lines.startsWith(`— ${parseWitnessKey(witnessKey(1)).name} `)).toBe(true);
      expect(b.events.filter((e) => e.event === 'witness:cosigned')).toHaveLength(1);
      // main verified the same log signature four times (conflict check, the rule, the stored state,
      // the collector); each is an Ed25519 verification on every witness for every checkpoint.
      expect(checked).toBeGreaterThan(0);
      expect(checked).toBeLessThanOrEqual(2);
      // and a note whose log signature does not verify is still refused (403), nothing stored
      const at = note.lastIndexOf(' ') + 30; // a character inside the signature's bytes
      const forged = `${note.slice(0, at)}${note[at] === 'A' ? 'B' : 'A'}${note.slice(at + 1)}`;
      expect(forged).not.toBe(note);
      const refused = await b.witness
        .addCheckpoint(utf8(formatAddCheckpoint({ oldSize: 0, proof: [], note: forged })))
        .catch((e: unknown) => e);
      expect(isWitnessError(refused, 'ERR_UNTRUSTED_CHECKPOINT')).toBe(true);
      expect(b.events.filter((e) => e.event === 'witness:cosigned')).toHaveLength(1);
    });
  });

  describe("when the log's node restarts and no longer knows the sizes its witnesses cosigned", () => {
    it('is told the size (409) and asks again with the consistency proof from there', async () => {
      const { a, b, size } = await cosignedRig();
      await a.witness.stop();
      const registry = new Registry();
      const again = new WitnessService({ home: a.home, log: a.log, registry });
      again.attach(a.ctx);
      await again.start();
      try {
        again.onCharter((rig as Rig).chain);
        const next = await (rig as Rig).grow(0, 5);
        await until('b to cosign the next checkpoint', () =>
          b.witness.origins().some((o) => o.org === 'eu' && o.cosignedSize === next),
        );
        expect(next).toBeGreaterThan(size);
        const counts = await registry.getSingleMetricAsString('govfed_witness_requests_total');
        expect(counts).toMatch(/result="refused"} [1-9]/); // the 409s, one per witness
        expect(counts).toMatch(/result="cosigned"} [1-9]/);
      } finally {
        await again.stop();
        await a.witness.start(); // rig.stop() stops it again
      }
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
