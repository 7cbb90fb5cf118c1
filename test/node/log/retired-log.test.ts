import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../../node/log/audit-log.ts';
import { checkpointKey } from '../../../node/log/keys.ts';
import { RetiredLog } from '../../../node/log/retired-log.ts';
import type { LogStoreSpec } from '../../../node/log/store.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../../../protocol/log/index.ts';
import { ed25519Signer, ed25519VerifierKey, parseVerifierKey } from '../../../protocol/note/index.ts';
import { describeStores, items, ORIGIN, signer, verifierKey } from './helpers.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describeStores('RetiredLog', (store) => {
  /** A log of `n` entries written and closed by AuditLog (its stop signs the final checkpoint). */
  async function closedLog(n: number): Promise<LogStoreSpec> {
    const spec = await store.fresh();
    const log = new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: 3_600_000 });
    await log.start();
    await log.append(items(0, n));
    await log.stop();
    return spec;
  }

  describe('RetiredLog', () => {
    describe('when opened on a closed log with its verifier key', () => {
      it('serves its final checkpoint, entries, lookups and proofs that verify', async () => {
        const spec = await closedLog(11);
        const r = await RetiredLog.open(spec, parseVerifierKey(verifierKey));
        try {
          expect(r.origin).toBe(ORIGIN);
          expect(r.size).toBe(11);
          const cp = r.checkpoint();
          expect(cp.size).toBe(11);
          expect(cp.note.startsWith(`${ORIGIN}\n11\n`)).toBe(true);
          const entry = await r.entry(4);
          verifyInclusion(4, 11, leafHash(entry), await r.proveInclusion(4, 11), cp.rootHash);
          verifyConsistency(3, 11, await r.proveConsistency(3, 11), await r.treeHash(3), cp.rootHash);
          expect(await r.lookupLeafHash(leafHash(entry))).toBe(4);
          expect(await r.lookupDecision('d-7')).toBe(7);
          expect(await r.record(2)).toBeInstanceOf(Uint8Array);
          await expect(r.entry(11)).rejects.toThrow(code('ERR_NOT_FOUND'));
        } finally {
          await r.close();
        }
      });
    });

    describe('when the key, the directory or the stored tree is wrong', () => {
      it('refuses to open: ERR_LOG_CORRUPT for another key or a tampered checkpoint, ERR_NOT_FOUND for no log', async () => {
        const spec = await closedLog(5);
        const other = ed25519Signer(ORIGIN, new Uint8Array(32).fill(9));
        await expect(
          RetiredLog.open(spec, parseVerifierKey(ed25519VerifierKey(ORIGIN, other.publicKey))),
        ).rejects.toThrow(code('ERR_LOG_CORRUPT'));
        await expect(RetiredLog.open(await store.fresh(), parseVerifierKey(verifierKey))).rejects.toThrow(
          code('ERR_NOT_FOUND'),
        );
        // A checkpoint stored under a size larger than the log: what a lost tail looks like.
        const db = await store.open(spec);
        const note = new TextDecoder().decode((await db.get(checkpointKey(5))) as Uint8Array);
        await db.put(checkpointKey(9), new TextEncoder().encode(note));
        await db.close();
        await expect(RetiredLog.open(spec, parseVerifierKey(verifierKey))).rejects.toThrow(code('ERR_LOG_CORRUPT'));
      });
    });
  });
});
