import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendItemOf } from '../../../node/decisions/sealer.ts';
import { AuditLog, fsckStore } from '../../../node/log/index.ts';
import { LOOKUP_KEY, leafKey } from '../../../node/log/keys.ts';
import {
  decisionIdOf,
  decisionIndexKey,
  decisionLookupKeys,
  leafHashIndexKey,
  lookupKeys,
} from '../../../node/log/lookup.ts';
import type { LogStoreSpec } from '../../../node/log/store.ts';
import { sealDecision } from '../../../protocol/audit/decision.ts';
import { encodeLeaf } from '../../../protocol/audit/index.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { leafHash } from '../../../protocol/log/index.ts';
import { describeStores, items, leafBytes, ORIGIN, signer, verifierKey } from './helpers.ts';

async function startLog(store: LogStoreSpec): Promise<AuditLog> {
  const log = new AuditLog({ store, signer, origin: ORIGIN, checkpointIntervalMs: 3_600_000 });
  await log.start();
  return log;
}

const governance = encodeLeaf({
  v: 1,
  type: 'governance',
  kind: 'node.init',
  time: '2025-01-02T03:04:05Z',
  digest: `sha256:${'ab'.repeat(32)}`,
  ref: '"decisionId":"x" "type":"decision"',
});

describe('decisionIdOf', () => {
  describe('when the leaf is a decision', () => {
    it('returns its decisionId, also one with escapes', () => {
      expect(decisionIdOf(leafBytes(7))).toBe('d-7');
      fc.assert(
        fc.property(fc.string({ minLength: 1, maxLength: 128 }), (id) => {
          const leaf = encodeLeaf({
            v: 1,
            type: 'decision',
            model: 'm "decisionId":"evil"',
            time: '2025-01-02T03:04:05Z',
            decisionId: id,
            recordDigest: `sha256:${'0'.repeat(64)}`,
            outcome: 'approve',
          });
          expect(decisionIdOf(leaf)).toBe(id);
        }),
      );
    });
  });

  describe('when the leaf is a governance event', () => {
    it('returns undefined even when a value mentions the keys', () => {
      expect(decisionIdOf(governance)).toBeUndefined();
    });
  });
});

describe('decisionLookupKeys', () => {
  describe('when given the facts the recorder hands the appender', () => {
    it('makes the keys lookupKeys reads from the leaf', () => {
      const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 });
      const verdict = fc.option(
        fc.oneof(
          fc.constant({ verdict: 'allowed' as const }),
          fc.record({
            verdict: fc.constant('denied' as const),
            deny: fc.uniqueArray(fc.stringMatching(/^(local:)?[a-z0-9][a-z0-9_.-]{0,10}$/), {
              minLength: 1,
              maxLength: 4,
            }),
          }),
        ),
        { nil: undefined },
      );
      fc.assert(
        fc.property(text, text, fc.boolean(), verdict, fc.nat(1e9), (model, id, withTime, v, index) => {
          const s = sealDecision(
            { model, decisionId: id, output: 1, ...(withTime ? { timestamp: '2025-01-02T03:04:05.5Z' } : {}) },
            { now: new Date(1.7e12), random: (n) => new Uint8Array(n), ...(v === undefined ? {} : { verdict: v }) },
          );
          const item = appendItemOf(s);
          const lh = leafHash(s.leafBytes);
          expect(decisionLookupKeys(item.decision as never, lh, index)).toEqual(lookupKeys(s.leafBytes, lh, index));
        }),
        { numRuns: 500 },
      );
    });
  });
});

describeStores('the lookup index', (store) => {
  describe('AuditLog lookups', () => {
    describe('when entries are appended', () => {
      it('finds each by leaf hash and by decisionId, and nothing else', async () => {
        const log = await startLog(await store.fresh());
        await log.append(items(0, 20));
        await log.append([{ leaf: governance }]);
        for (const i of [0, 7, 19]) {
          expect(await log.lookupLeafHash(leafHash(leafBytes(i)))).toBe(i);
          expect(await log.lookupDecision(`d-${i}`)).toBe(i);
        }
        expect(await log.lookupLeafHash(leafHash(governance))).toBe(20);
        expect(await log.lookupLeafHash(new Uint8Array(32))).toBeUndefined();
        expect(await log.lookupDecision('d-20')).toBeUndefined();
        await expect(log.lookupLeafHash(new Uint8Array(31))).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
        await log.stop();
      });

      it('answers the later entry when a decisionId is reused', async () => {
        const log = await startLog(await store.fresh());
        await log.append(items(0, 3));
        await log.append([{ leaf: leafBytes(1) }]);
        expect(await log.lookupDecision('d-1')).toBe(3);
        await log.stop();
      });
    });

    describe('when the log predates the index', () => {
      it('builds the index at start, and fsck then checks it', async () => {
        const spec = await store.fresh();
        const log = await startLog(spec);
        await log.append(items(0, 30));
        await log.stop();
        const db = await store.open(spec);
        const keys: string[] = [];
        for await (const k of db.keys({ gte: 'd/', lt: 'd/~' })) keys.push(k);
        for await (const k of db.keys({ gte: 'x/', lt: 'x/~' })) keys.push(k);
        expect(keys).toHaveLength(60);
        const batch = db.batch();
        for (const key of [...keys, LOOKUP_KEY]) batch.del(key);
        await batch.write({ sync: true });
        await db.close();
        expect((await fsckStore(spec, ORIGIN, verifierKey)).ok).toBe(true); // no index: not checked

        const again = await startLog(spec);
        expect(await again.lookupDecision('d-29')).toBe(29);
        expect(await again.lookupLeafHash(leafHash(leafBytes(0)))).toBe(0);
        await again.stop();
        expect((await fsckStore(spec, ORIGIN, verifierKey)).ok).toBe(true);
      });
    });

    describe('when the index is damaged', () => {
      it('fsck reports a missing key and a key naming the wrong entry', async () => {
        const spec = await store.fresh();
        const log = await startLog(spec);
        await log.append(items(0, 10));
        await log.stop();
        const db = await store.open(spec);
        await db.del(leafHashIndexKey(leafHash(leafBytes(4))));
        await db.put(decisionIndexKey('d-6'), new Uint8Array([0, 0, 0, 0, 0, 0, 0, 8]));
        expect(await db.get(leafKey(9))).toBeDefined();
        await db.close();
        const r = await fsckStore(spec, ORIGIN, verifierKey);
        expect(r.ok).toBe(false);
        expect(r.problems.some((p) => p.includes('x/ key of entry 4 is missing'))).toBe(true);
        expect(r.problems.some((p) => p.includes('d/ key of entry 6 names 8'))).toBe(true);
        const of = (text: string) => r.findings.find((f) => f.message.includes(text))?.code;
        expect(of('x/ key of entry 4 is missing')).toBe('FSCK_INDEX_KEY_MISSING');
        expect(of('d/ key of entry 6 names 8')).toBe('FSCK_INDEX_KEY_WRONG');
      });
    });
  });

  describe('AuditLog.lookupGovernance', () => {
    const charter = (n: number) =>
      encodeLeaf({
        v: 1,
        type: 'governance',
        kind: 'federation.charter',
        time: '2025-01-02T03:04:05Z',
        digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
        ref: `federation/${'ab'.repeat(32)}/charter/${n}`,
      });

    describe('when the log holds governance entries of a kind', () => {
      it('finds the latest one, and nothing for a kind it never held (decisions are not governance)', async () => {
        const log = await startLog(await store.fresh());
        await log.append([{ leaf: governance }, { leaf: charter(1) }, ...items(0, 3), { leaf: charter(2) }]);
        expect(await log.lookupGovernance('federation.charter')).toBe(5);
        expect(await log.lookupGovernance('node.init')).toBe(0);
        expect(await log.lookupGovernance('federation.fork')).toBeUndefined();
        expect(await log.lookupGovernance('decision')).toBeUndefined();
        await log.stop();
      });
    });

    describe('when the index is of version 1 (no g/ keys)', () => {
      it('is rebuilt at start, so a charter written before the upgrade is found', async () => {
        const spec = await store.fresh();
        const log = await startLog(spec);
        await log.append([{ leaf: charter(1) }, ...items(0, 2)]);
        await log.stop();
        const db = await store.open(spec);
        await db.del('g/federation.charter');
        await db.put(LOOKUP_KEY, utf8('1'));
        await db.close();
        const again = await startLog(spec);
        expect(await again.lookupGovernance('federation.charter')).toBe(0);
        await again.stop();
        expect((await fsckStore(spec, ORIGIN, verifierKey)).ok).toBe(true);
      });
    });
  });
});
