/**
 * CountsSigner, the answering side of /govfed/report/1.0.0 (requests are attacker-controlled): a
 * malformed frame is answered with its code; a held version gets one signed statement, logged once and
 * re-used while its tally is unchanged; a version this node's registry does not hold gets none — so no
 * request can make the node log statements about digests it never saw. The log and the federation
 * context are small stand-ins (the signer only appends, signs as the peer and reads the charter's id).
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FederationContext } from '../../../node/federation/module.ts';
import { ModelCounter } from '../../../node/report/counter.ts';
import { CountsSigner } from '../../../node/report/counts-service.ts';
import { encodeLeaf } from '../../../protocol/audit/leaf.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import { verifyCounts } from '../../../protocol/report/counts.ts';
import { decodeCountsResponse, encodeCountsRequest } from '../../../protocol/report/protocol.ts';
import { makeTempDir, removeDir } from '../../helpers/cli.ts';
import { peer, seed } from '../../protocol/federation/fixtures.ts';

const FED = 'ab'.repeat(32);
const HELD = { model: { org: 'eu', name: 'fraud', version: '1' }, digest: `sha256:${'11'.repeat(32)}` };
const OTHER = { model: { org: 'eu', name: 'fraud', version: '2' }, digest: `sha256:${'22'.repeat(32)}` };

function decision(digest: string): Uint8Array {
  return encodeLeaf({
    v: 1,
    type: 'decision',
    model: 'eu/fraud@1',
    time: '2027-01-01T00:00:00Z',
    decisionId: `d${Math.random()}`,
    recordDigest: `sha256:${'00'.repeat(32)}`,
    outcome: 'ok',
    modelDigest: digest,
  });
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => removeDir(d)));
});

async function signer() {
  const tmp = await makeTempDir();
  dirs.push(tmp);
  const entries: Uint8Array[] = [decision(HELD.digest), decision(HELD.digest)];
  const log = {
    get size() {
      return entries.length;
    },
    entry: async (i: number) => entries[i] as Uint8Array,
    async *entries(from: number, to: number): AsyncGenerator<[number, Uint8Array]> {
      for (let i = from; i < Math.min(to, entries.length); i++) yield [i, entries[i] as Uint8Array];
    },
    append: async (items: readonly { leaf: Uint8Array }[]) =>
      items.map((it) => {
        entries.push(it.leaf);
        return { index: entries.length - 1, leafHash: new Uint8Array(32) };
      }),
  };
  const counter = new ModelCounter(path.join(tmp, 'home'), log);
  await counter.load();
  await counter.catchUp(); // as ReportService.start() does
  const ctx = {
    peerId: peer(0),
    chain: () => ({ federationId: FED }),
    signAsPeer: (type: string, payload: Uint8Array) => signAsPeer(type, payload, seed(0)),
  } as unknown as FederationContext;
  const s = new CountsSigner({
    org: 'eu',
    log: log as never,
    counter,
    now: () => new Date('2027-01-01T00:00:10Z'),
    context: () => ctx,
    holds: (m, digest) => m.version === '1' && digest === HELD.digest,
  });
  return { s, entries };
}

describe('CountsSigner.handle', () => {
  describe('when the request is not a well-formed frame', () => {
    it('answers with the code, and logs nothing', async () => {
      const { s, entries } = await signer();
      const res = decodeCountsResponse(await s.handle(utf8('{"type":"get-counts","versions":"all"}')));
      expect(res).toMatchObject({ type: 'error', code: 'ERR_MALFORMED_REPORT_REQUEST' });
      expect(entries).toHaveLength(2);
    });
  });

  it('signs one statement of a held version, logs it once, and re-uses it while the tally is unchanged', async () => {
    const { s, entries } = await signer();
    const first = decodeCountsResponse(await s.handle(encodeCountsRequest([HELD])));
    if (first.type !== 'counts') throw new Error('expected counts');
    const c = verifyCounts(first.statements[0], {
      federation: FED,
      peerIdOf: (o) => (o === 'eu' ? peer(0) : undefined),
    });
    expect(c).toMatchObject({ org: 'eu', decisions: 2, through: 2 });
    expect(entries).toHaveLength(3);
    const again = decodeCountsResponse(await s.handle(encodeCountsRequest([HELD])));
    expect(again).toEqual(first);
    expect(entries).toHaveLength(3);
  });

  describe('when asked about a version this node does not hold', () => {
    it('states nothing about it and logs nothing', async () => {
      const { s, entries } = await signer();
      const res = decodeCountsResponse(await s.handle(encodeCountsRequest([OTHER])));
      expect(res).toEqual({ type: 'counts', statements: [] });
      expect(entries).toHaveLength(2);
    });
  });
});
