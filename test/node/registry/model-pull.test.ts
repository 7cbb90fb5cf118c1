/**
 * The registry's sync round (node/registry/model-pull.ts) against one member's record list, over the real
 * /govfed/models codec: paging from a cursor, and skipping a member whose hello head
 * (node/federation/heads.ts) is the one it had when we last reached the end of its list. The records'
 * checks are the registry's (models.test.ts); here `offer` only collects.
 */
import { describe, expect, it } from 'vitest';
import type { FederationContext } from '../../../node/federation/module.ts';
import { type Cursor, pullRecords, recordsHead } from '../../../node/registry/model-pull.ts';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import { decodeModelsHello, encodeModelsPage, type RegistryRecord } from '../../../protocol/registry/model-sync.ts';

const PEER = '12D3KooWPeer';

function record(i: number): RegistryRecord {
  const sig = toBase64(Uint8Array.from({ length: 64 }, (_, j) => (i * 31 + j) & 0xff));
  const payload = toBase64(new TextEncoder().encode(JSON.stringify({ i })));
  return {
    kind: 'approval',
    envelope: { payloadType: 'application/vnd.in-toto+json', payload, signatures: [{ keyid: `k${i}`, sig }] },
  };
}

/** A member holding `list`; `heads` says whether its hello head is known this round. */
function member(list: RegistryRecord[], heads = true) {
  const asked: number[] = [];
  const ctx = {
    request: async (_peer: string, _protocol: string, bytes: Uint8Array) => {
      const from = decodeModelsHello(bytes);
      asked.push(from);
      return encodeModelsPage(list, from);
    },
    peerHead: (_peer: string, kind: string) =>
      heads && kind === 'models' ? recordsHead(list.length, list.at(-1)) : undefined,
    reject: () => {
      throw new Error('nothing is rejected here');
    },
    events: () => {},
  } as unknown as FederationContext;
  return { ctx, asked };
}

describe('pullRecords', () => {
  describe('when the member took no record since we reached the end of its list', () => {
    it('does not ask it; a new record changes its head and is pulled from the cursor', async () => {
      const list = [record(0), record(1)];
      const { ctx, asked } = member(list);
      const cursors = new Map<string, Cursor>();
      const got: RegistryRecord[] = [];
      await pullRecords(ctx, [PEER], cursors, (r) => got.push(r));
      await pullRecords(ctx, [PEER], cursors, (r) => got.push(r));
      expect(asked).toEqual([0]);
      expect(got).toEqual(list);
      list.push(record(2));
      await pullRecords(ctx, [PEER], cursors, (r) => got.push(r));
      await pullRecords(ctx, [PEER], cursors, (r) => got.push(r));
      expect(asked).toEqual([0, 2]);
      expect(got.map((r) => r.envelope.signatures[0]?.keyid)).toEqual(['k0', 'k1', 'k2']);
    });
  });

  describe('when its list is longer than one page', () => {
    it('asks page after page, the same head notwithstanding, until the end', async () => {
      const list = Array.from({ length: 100 }, (_, i) => record(i));
      const { ctx, asked } = member(list);
      const cursors = new Map<string, Cursor>();
      let n = 0;
      for (let round = 0; round < 4; round++) await pullRecords(ctx, [PEER], cursors, () => n++);
      expect(asked).toEqual([0, 64]);
      expect(n).toBe(100);
    });
  });

  describe('when its head is not known this round (its hello failed, or an older node)', () => {
    it('asks every round, as before heads', async () => {
      const { ctx, asked } = member([record(0)], false);
      const cursors = new Map<string, Cursor>();
      for (let round = 0; round < 3; round++) await pullRecords(ctx, [PEER], cursors, () => {});
      expect(asked).toEqual([0, 1, 1]);
    });
  });

  describe('when the member lost records (its count went below our cursor)', () => {
    it('starts again at 0 and does not skip on the old end', async () => {
      const list = [record(0), record(1), record(2)];
      const { ctx, asked } = member(list);
      const cursors = new Map<string, Cursor>();
      await pullRecords(ctx, [PEER], cursors, () => {});
      list.splice(1, 2);
      await pullRecords(ctx, [PEER], cursors, () => {});
      await pullRecords(ctx, [PEER], cursors, () => {});
      await pullRecords(ctx, [PEER], cursors, () => {});
      expect(asked).toEqual([0, 3, 0]);
    });
  });
});
