import { describe, expect, it } from 'vitest';
import { proveConsistency, proveInclusion } from '../../../protocol/log/index.ts';
import { appendSignatures } from '../../../protocol/note/index.ts';
import * as witness from '../../../protocol/witness/index.ts';
import {
  buildLog,
  checkpointOf,
  federation,
  logKey,
  logName,
  NOW_S,
  witnessKey,
  witness as witnessOf,
} from './fixtures.ts';

describe('protocol/witness public API', () => {
  describe('when imported from index.ts', () => {
    it('exports the names node/witness codes against', () => {
      for (const fn of [
        witness.addCheckpoint,
        witness.parseAddCheckpoint,
        witness.formatAddCheckpoint,
        witness.formatSizeBody,
        witness.checkEquivocation,
        witness.findEquivocation,
        witness.verifyAlert,
        witness.verifyCrossOrgBundle,
        witness.parseBundle,
        witness.witnessName,
      ]) {
        expect(typeof fn).toBe('function');
      }
      expect(witness.SIZE_CONTENT_TYPE).toBe('text/x.tlog.size');
      expect(witness.CROSSORG_BUNDLE_FORMAT).toBe('govfed-crossorg-proof/v1');
    });

    it('works end to end: two witnesses cosign through add-checkpoint, the bundle verifies', async () => {
      const fed = federation([0, 1, 2]);
      const log = buildLog(9);
      const known = witness.knownLogsFromKeys([logKey(0)]);
      let note = checkpointOf(0, log, 9);
      for (const w of [1, 2]) {
        const first = checkpointOf(0, log, 4);
        const r1 = witness.addCheckpoint({
          known,
          state: undefined,
          req: witness.formatAddCheckpoint({ oldSize: 0, proof: [], note: first }),
          signer: witnessOf(w),
        });
        const proof = await proveConsistency(4, 9, log.tree);
        const r2 = witness.addCheckpoint({
          known,
          state: r1.next,
          req: witness.formatAddCheckpoint({ oldSize: 4, proof, note }),
          signer: witnessOf(w),
        });
        note = appendSignatures(note, [r2.cosignature]);
      }
      const bundle = witness.createCrossOrgBundle({
        origin: logName(0),
        index: 3,
        treeSize: 9,
        entry: log.entries[3] as Uint8Array,
        inclusion: await proveInclusion(3, 9, log.tree),
        checkpoint: note,
        logKey: logKey(0),
        witnessKeys: [witnessKey(1), witnessKey(2)],
        federation: { id: fed.id, charters: fed.envelopes },
      });
      const v = witness.verifyCrossOrgBundle(JSON.parse(JSON.stringify(bundle)), {
        federationId: fed.id,
        now: NOW_S * 1000,
      });
      expect([v.org, v.cosigners, v.k]).toEqual(['eu', ['apac', 'us'], 2]);
    });
  });
});
