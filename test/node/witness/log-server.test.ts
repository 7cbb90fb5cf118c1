import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../../node/log/index.ts';
import { logProtocolHandler } from '../../../node/witness/log-server.ts';
import { fromBase64 } from '../../../protocol/encoding/bytes.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../../../protocol/log/index.ts';
import { decodeHashes, decodeLogResponse, encodeLogMessage } from '../../../protocol/witness/log-protocol.ts';
import { items, ORIGIN, signer, tempDir } from '../log/helpers.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('logProtocolHandler', () => {
  describe("when asked about this node's log", () => {
    it('serves entries and proofs that verify, and refuses other origins', async () => {
      const log = new AuditLog({ dir: await tempDir(), signer, origin: ORIGIN, checkpointIntervalMs: 3_600_000 });
      await log.start();
      await log.append(items(0, 13));
      const handle = logProtocolHandler(ORIGIN, (o) => (o === ORIGIN ? log : undefined));
      const ask = async (req: Parameters<typeof encodeLogMessage>[0]) => await handle(encodeLogMessage(req));

      const inc = decodeLogResponse(await ask({ type: 'get-inclusion', index: 5, treeSize: 13 }), 'inclusion');
      const entry = fromBase64(inc.entry);
      expect(entry).toEqual(await log.entry(5));
      const root13 = await log.treeHash(13);
      verifyInclusion(5, 13, leafHash(entry), decodeHashes(inc.proof), root13);

      const con = decodeLogResponse(await ask({ type: 'get-consistency', from: 4, to: 13 }), 'consistency');
      verifyConsistency(4, 13, decodeHashes(con.proof), decodeHashes([con.oldRoot])[0] as Uint8Array, root13);

      await expect(
        ask({ type: 'get-entry', origin: 'govfed/other/00000000', index: 0 }).then((r) =>
          decodeLogResponse(r, 'entry'),
        ),
      ).rejects.toThrow(code('ERR_UNKNOWN_ORIGIN'));
      await expect(ask({ type: 'get-entry', index: 99 }).then((r) => decodeLogResponse(r, 'entry'))).rejects.toThrow(
        code('ERR_NOT_FOUND'),
      );
      await expect(
        ask({ type: 'get-inclusion', index: 13, treeSize: 13 }).then((r) => decodeLogResponse(r, 'inclusion')),
      ).rejects.toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
      const cp = decodeLogResponse(await ask({ type: 'get-checkpoint' }), 'checkpoint');
      expect(cp.note).toBe(log.checkpoint().note);
      await log.stop();
    });
  });
});
