import { afterEach, describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../../protocol/encoding/bytes.ts';
import { verifyCrossOrgBundle } from '../../../protocol/witness/bundle.ts';
import {
  decodeLogRequest,
  decodeLogResponse,
  encodeLogMessage,
  LOG_PROTOCOL,
} from '../../../protocol/witness/log-protocol.ts';
import { growWitnessed, type Rig, type RigNode, startRig } from './rig.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const code = (c: string) => expect.objectContaining({ code: c });

/** Three members, k = 2: a's log grew to `size` and b holds that checkpoint witnessed. */
async function witnessed(): Promise<{ a: RigNode; b: RigNode; c: RigNode; size: number }> {
  rig = await startRig([0, 1, 2], { witness: 2 });
  const w = await growWitnessed(rig, { own: true });
  return w;
}

describe('CrossOrgProver (through WitnessService)', () => {
  describe("when asked for an entry of another member's log", () => {
    it("returns a bundle that verifies offline, fetched from the owner's node", async () => {
      const { a, b } = await witnessed();
      const bundle = await b.witness.proveInclusion(a.origin, 3);
      const ok = verifyCrossOrgBundle(bundle, { federationId: (rig as Rig).chain.federationId });
      expect(ok.origin).toBe(a.origin);
      expect(fromBase64(bundle.entry)).toEqual(await a.log.entry(3));
      // this node's own log: from the log itself
      const own = await a.witness.proveInclusion(a.origin, 2);
      expect(() => verifyCrossOrgBundle(own)).not.toThrow();
    });
  });

  describe("when the owner's node cannot be reached by the asker, though other members can reach it", () => {
    it('is ERR_PEER_UNAVAILABLE: no other member is asked to relay', async () => {
      const { a, b } = await witnessed();
      a.unreachableFrom.add(b.org);
      b.sent.length = 0;
      await expect(b.witness.proveConsistency(a.origin, 2)).rejects.toThrow(code('ERR_PEER_UNAVAILABLE'));
      await expect(b.witness.proveInclusion(a.origin, 1)).rejects.toThrow(code('ERR_PEER_UNAVAILABLE'));
      expect(b.sent.filter((r) => r.protocol === LOG_PROTOCOL).map((r) => r.to)).toEqual([a.peerId, a.peerId]);
    });
  });

  describe("when nobody can reach the owner's node", () => {
    it('is ERR_PEER_UNAVAILABLE', async () => {
      const { a, b } = await witnessed();
      a.down = true;
      await expect(b.witness.proveInclusion(a.origin, 1)).rejects.toThrow(code('ERR_PEER_UNAVAILABLE'));
      await expect(b.witness.proveConsistency(a.origin, 1)).rejects.toThrow(code('ERR_PEER_UNAVAILABLE'));
    });
  });

  describe("when the owner's node answers with another entry or a bad proof (attacker-controlled)", () => {
    it('is ERR_BAD_PEER_RESPONSE, and nothing unverified is returned', async () => {
      const { a, b } = await witnessed();
      a.answer = (req, honest) => {
        const type = decodeLogRequest(req).type;
        if (type === 'get-inclusion') {
          const r = decodeLogResponse(honest, 'inclusion');
          return encodeLogMessage({ ...r, entry: toBase64(new Uint8Array([1, 2, 3])) });
        }
        if (type === 'get-consistency') {
          const r = decodeLogResponse(honest, 'consistency');
          return encodeLogMessage({ ...r, oldRoot: toBase64(new Uint8Array(32)) });
        }
        return honest;
      };
      await expect(b.witness.proveInclusion(a.origin, 1)).rejects.toThrow(code('ERR_BAD_PEER_RESPONSE'));
      await expect(b.witness.proveConsistency(a.origin, 3)).rejects.toThrow(code('ERR_BAD_PEER_RESPONSE'));
      a.answer = (req, honest) => {
        const r = decodeLogResponse(honest, 'inclusion');
        return decodeLogRequest(req).type === 'get-inclusion' ? encodeLogMessage({ ...r, index: r.index + 1 }) : honest;
      };
      await expect(b.witness.proveInclusion(a.origin, 1)).rejects.toThrow(code('ERR_BAD_PEER_RESPONSE'));
    });
  });

  describe('when the request is outside what is witnessed', () => {
    it('is ERR_NOT_WITNESSED, ERR_NOT_FOUND or ERR_INVALID_TREE_SIZE', async () => {
      const { a, b, size } = await witnessed();
      await expect(b.witness.proveInclusion(a.origin, size)).rejects.toThrow(code('ERR_NOT_WITNESSED'));
      // Says the entry is past what is witnessed and how many entries that holds, not just "retry".
      await expect(b.witness.proveInclusion(a.origin, 999)).rejects.toThrow(
        `entry 999 is past the newest witnessed checkpoint of ${a.origin}, which holds ${size} entries`,
      );
      await expect(b.witness.proveConsistency(a.origin, 1, size - 1)).rejects.toThrow(code('ERR_NOT_WITNESSED'));
      await expect(b.witness.proveConsistency(a.origin, size + 1)).rejects.toThrow(code('ERR_INVALID_TREE_SIZE'));
      await expect(b.witness.proveInclusion('govfed/nobody/log', 0)).rejects.toThrow(code('ERR_NOT_FOUND'));
    });
  });
});
