import { afterEach, describe, expect, it } from 'vitest';
import { WitnessService } from '../../../node/witness/index.ts';
import { toHex } from '../../../protocol/encoding/bytes.ts';
import { openCheckpoint } from '../../../protocol/note/index.ts';
import { checkCheckpointBody } from '../../../protocol/witness/gossip.ts';
import { parseLogKey, parseWitnessKey } from '../../../protocol/witness/keys.ts';
import { recordingVerifier, rejectAll } from '../../helpers/verify.ts';
import { logKey, witnessKey } from '../../protocol/witness/fixtures.ts';
import { type Rig, startRig, until } from './rig.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

describe('WitnessService', () => {
  describe('when a member of three (k = 2) signs a new checkpoint', () => {
    it('asks the two others, is witnessed everywhere and gossiped once; the parts agree on status', async () => {
      rig = await startRig([0, 1, 2], { witness: 2 });
      const [a, b, c] = rig.nodes as [Rig['nodes'][0], Rig['nodes'][0], Rig['nodes'][0]];
      const size = await rig.grow(0, 5);
      for (const n of rig.nodes) {
        await until(`${n.org} to hold a's checkpoint ${size} witnessed`, () =>
          n.witness.origins().some((o) => o.origin === a.origin && o.witnessedSize === size),
        );
      }
      // publishing: one `checkpoint` {note} body for that size, carrying a's signature and both cosignatures
      const cps = a.published.filter((p) => p.kind === 'checkpoint').map((p) => checkCheckpointBody(p.body));
      const mine = cps.filter((cp) => cp.checkpoint.size === size);
      expect(mine).toHaveLength(1);
      const witnessed = openCheckpoint(mine[0]?.note as string, parseLogKey(logKey(0)), [
        parseWitnessKey(witnessKey(1)),
        parseWitnessKey(witnessKey(2)),
      ]);
      expect(witnessed.verified).toHaveLength(3);
      // the witnesses gossip nothing about a's log: they answered a's requests
      for (const w of [b, c]) {
        const about = w.published.filter((p) => p.kind === 'checkpoint' && String(p.body.note).startsWith(a.origin));
        expect(about, w.org).toEqual([]);
      }
      expect(await a.registry.getSingleMetricAsString('govfed_witness_requests_total')).toMatch(
        /result="cosigned"} [2-9]/,
      );
      // collection: a's checkpoint is served with both cosignatures
      const served = a.witness.checkpointWithCosignatures();
      const opened = openCheckpoint(served, parseLogKey(logKey(0)), [
        parseWitnessKey(witnessKey(1)),
        parseWitnessKey(witnessKey(2)),
      ]);
      expect(opened.checkpoint.size).toBe(size);
      expect(opened.verified).toHaveLength(3);
      const row = b.witness.origins().find((o) => o.origin === a.origin);
      expect(row).toMatchObject({ org: 'eu', cosignedSize: size, witnessedSize: size, k: 2, misbehaving: false });
      expect(row?.cosignatures).toBeGreaterThanOrEqual(2);
      expect(a.witness.status()).toMatchObject({ alerts: 0, misbehaving: [] });
      expect(typeof a.witness.status().witnessedLagMs).toBe('number');
      expect(await b.registry.getSingleMetricAsString('govfed_witness_cosigned_total')).toMatch(/ [1-9]\d*$/m);
      expect(b.events.some((e) => e.event === 'witness:cosigned' && e.fields.origin === a.origin)).toBe(true);
      // no validator refused anything an honest member sent
      expect([...a.refused, ...b.refused, ...c.refused]).toEqual([]);
    });
  });

  describe('when a verifier is injected (node/crypto opensslVerify in the daemon)', () => {
    it("checks the log's signature and the other witnesses' cosignatures with it", async () => {
      const rec = recordingVerifier();
      rig = await startRig([0, 1, 2], { witness: 2, verify: (org) => (org === 'eu' ? rec.verify : undefined) });
      const a = rig.nodes[0] as Rig['nodes'][0];
      const size = await rig.grow(0, 3);
      await until("a's checkpoint witnessed", () =>
        a.witness.origins().some((o) => o.origin === a.origin && o.witnessedSize === size),
      );
      // a collected the cosignatures of b and c: checked with a's verifier, under their witness keys
      const pub = (vkey: string) => toHex(parseWitnessKey(vkey).publicKey);
      expect(rec.keys.has(pub(witnessKey(1))) && rec.keys.has(pub(witnessKey(2)))).toBe(true);
    });

    it('witnesses nothing that its verifier rejects, although the signatures are valid', async () => {
      rig = await startRig([0, 1, 2], { witness: 2, verify: (org) => (org === 'us' ? rejectAll : undefined) });
      const [a, b, c] = rig.nodes as [Rig['nodes'][0], Rig['nodes'][0], Rig['nodes'][0]];
      const size = await rig.grow(0, 3);
      await until("c to cosign a's checkpoint", () =>
        c.witness.origins().some((o) => o.origin === a.origin && o.cosignedSize === size),
      );
      // b's witness refused a's request (the log signature, checked with b's verifier: 403); c's did not
      await until('a to hear of the refusal', () =>
        a.events.some((e) => e.event === 'witness:refused-by' && e.fields.witness === 'us'),
      );
      const refusal = a.events.find((e) => e.event === 'witness:refused-by' && e.fields.witness === 'us');
      expect(refusal?.fields).toMatchObject({ code: 'ERR_UNTRUSTED_CHECKPOINT', status: 403 });
      expect(a.events.some((e) => e.event === 'witness:refused-by' && e.fields.witness === 'apac')).toBe(false);
      expect(b.witness.origins().find((o) => o.origin === a.origin)?.cosignedSize ?? null).toBeNull();
      // k = 2 not reached: a gossips no witnessed checkpoint
      expect(a.published.filter((p) => p.kind === 'checkpoint')).toEqual([]);
    });
  });

  describe('when it restarts', () => {
    it('reloads the witnessed checkpoints it stored (root and cosignature count parsed with protocol/note)', async () => {
      rig = await startRig([0, 1, 2], { witness: 2 });
      const b = rig.nodes[1] as Rig['nodes'][0];
      const size = await rig.grow(0, 3);
      await until('b to hold a witnessed', () => b.witness.origins().some((o) => o.witnessedSize === size));
      const before = b.witness.origins().find((o) => o.witnessedSize === size);
      await b.witness.stop();
      const again = new WitnessService({ home: b.home, log: b.log });
      again.attach(b.ctx);
      await again.start();
      try {
        again.onCharter(rig.chain);
        const after = again.origins().find((o) => o.origin === before?.origin);
        expect(after?.witnessedSize).toBe(size);
        expect(after?.cosignatures).toBe(before?.cosignatures);
        // and proves against it without any new gossip
        const proof = await again.proveConsistency(before?.origin as string, 1);
        expect(proof.to).toBe(size);
      } finally {
        await again.stop();
        await b.witness.start(); // rig.stop() stops it again
      }
    });
  });

  describe('when stopped', () => {
    it('answers add-checkpoint with ERR_SHUTTING_DOWN and publishes nothing more', async () => {
      rig = await startRig([0, 1], { witness: 1 });
      const a = rig.nodes[0] as Rig['nodes'][0];
      await a.witness.stop();
      const n = a.published.length;
      await a.log.append([{ leaf: new Uint8Array([1]) }]).catch(() => {});
      await a.log.checkpointNow().catch(() => {});
      await new Promise((r) => setTimeout(r, 300));
      expect(a.published.length).toBe(n);
      await expect(a.witness.addCheckpoint(new Uint8Array(0))).rejects.toMatchObject({ code: 'ERR_SHUTTING_DOWN' });
      await a.witness.start(); // rig.stop() stops it again
    });
  });
});
