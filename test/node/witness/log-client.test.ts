/**
 * /govfed/log/1.0.0 between members (node/witness/log-client.ts asking, log-server.ts answering through
 * WitnessService): a request about a member's log goes to that member's node and nowhere else, and a
 * node answers only about its own logs — nobody relays.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { leafHash } from '../../../protocol/log/index.ts';
import { decodeLogResponse, encodeLogMessage, LOG_PROTOCOL } from '../../../protocol/witness/log-protocol.ts';
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
  const w = await growWitnessed(rig);
  for (const n of rig.nodes) n.sent.length = 0;
  return w;
}

/** The peers `n` sent /govfed/log/1.0.0 requests to, in order. */
const logRequests = (n: RigNode) => n.sent.filter((r) => r.protocol === LOG_PROTOCOL).map((r) => r.to);

/** `n`'s /govfed/log/1.0.0 handler, as a member `from` reaches it. */
function logHandler(n: RigNode, from: RigNode) {
  const p = n.witness.protocols?.[LOG_PROTOCOL];
  if (p === undefined) throw new Error('no /govfed/log/1.0.0 handler');
  return (req: Parameters<typeof encodeLogMessage>[0]) => p.handle(encodeLogMessage(req), from.peerId);
}

describe('LogClient', () => {
  describe("when asked about a member's log", () => {
    it("sends every request to that member's node only", async () => {
      const { a, b } = await witnessed();
      await b.witness.proveInclusion(a.origin, 2);
      await b.witness.proveConsistency(a.origin, 3);
      await b.witness.lookup(a.origin, { leafHash: leafHash(await a.log.entry(4)) });
      expect(logRequests(b).length).toBeGreaterThanOrEqual(3);
      expect(new Set(logRequests(b))).toEqual(new Set([a.peerId]));
    });
  });

  describe("when the member's node cannot be reached by the asker (though the others reach it)", () => {
    it('is ERR_PEER_UNAVAILABLE after asking the owner alone: no member is asked to relay', async () => {
      const { a, b, c } = await witnessed();
      a.unreachableFrom.add(b.org);
      await expect(b.witness.proveInclusion(a.origin, 1)).rejects.toThrow(code('ERR_PEER_UNAVAILABLE'));
      await expect(b.witness.lookup(a.origin, { decisionId: 'd-1' })).rejects.toThrow(code('ERR_PEER_UNAVAILABLE'));
      expect(logRequests(b)).toEqual([a.peerId, a.peerId]);
      expect(logRequests(c)).toEqual([]);
    });
  });
});

describe('/govfed/log/1.0.0, answering', () => {
  describe("when a member asks a node about another member's log (attacker-controlled)", () => {
    it('refuses with ERR_UNKNOWN_ORIGIN and passes nothing on', async () => {
      const { a, b, c } = await witnessed();
      const askC = logHandler(c, b);
      for (const req of [
        { type: 'get-entry', origin: a.origin, index: 1 },
        { type: 'get-inclusion', origin: a.origin, index: 1, treeSize: 6 },
        { type: 'get-consistency', origin: a.origin, from: 2, to: 6 },
        { type: 'lookup', origin: a.origin, decisionId: 'd-1' },
      ] as const) {
        const answer = await askC(req);
        expect(() => decodeLogResponse(answer, 'entry'), req.type).toThrow(code('ERR_UNKNOWN_ORIGIN'));
      }
      expect(c.sent).toEqual([]);
      // The owner answers the same request about its own log.
      const own = decodeLogResponse(await logHandler(a, b)({ type: 'get-entry', origin: a.origin, index: 1 }), 'entry');
      expect(own.index).toBe(1);
    });
  });
});
