import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { describeStores } from './helpers.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const td = new TextDecoder();
const text = (v: Uint8Array | undefined) => (v === undefined ? undefined : td.decode(v));

describeStores('LogDb', (store) => {
  describe('batch', () => {
    describe('when a batch puts and deletes the same keys', () => {
      it('writes it atomically, the later operation on a key winning', async () => {
        const db = await store.open(await store.fresh());
        await db.put('a', utf8('old'));
        const b = db.batch();
        b.put('a', utf8('1'));
        b.put('b', utf8('2'));
        b.del('a');
        b.put('c', utf8('3'));
        b.put('c', utf8('4'));
        await b.write({ sync: true });
        expect((await db.getMany(['a', 'b', 'c', 'd'])).map(text)).toEqual([undefined, '2', '4', undefined]);
        await db.close();
      });
    });

    describe('when a batch is closed without writing', () => {
      it('writes nothing', async () => {
        const db = await store.open(await store.fresh());
        const b = db.batch();
        b.put('x', utf8('1'));
        await b.close();
        expect(await db.get('x')).toBeUndefined();
        await db.close();
      });
    });
  });

  describe('iterator', () => {
    describe('when keys have multi-byte characters', () => {
      it('orders keys by their UTF-8 bytes, gte inclusive, lt exclusive, both ways, with a limit', async () => {
        const db = await store.open(await store.fresh());
        const keys = ['d/a', 'd/b', 'd/é', 'd/z', 'd/~', 'd/\u{1F600}', 'e/a', 'c/z'];
        const b = db.batch();
        for (const k of keys) b.put(k, utf8(`v:${k}`));
        await b.write({ sync: true });
        const forward = await db.iterator({ gte: 'd/', lt: 'd/~' }).all();
        expect(forward.map(([k]) => k)).toEqual(['d/a', 'd/b', 'd/z']);
        expect(forward.map(([, v]) => text(v))).toEqual(['v:d/a', 'v:d/b', 'v:d/z']);
        // é (C3 A9) and 😀 (F0 9F 98 80) sort after ~ (7E) by bytes
        expect(await db.keys({ gte: 'd/', lt: 'e/' }).all()).toEqual([
          'd/a',
          'd/b',
          'd/z',
          'd/~',
          'd/é',
          'd/\u{1F600}',
        ]);
        expect(await db.keys({ gte: 'd/', lt: 'e/', reverse: true, limit: 2 }).all()).toEqual(['d/\u{1F600}', 'd/é']);
        const it = db.keys({ gte: 'c/', reverse: true });
        expect(await it.nextv(3)).toEqual(['e/a', 'd/\u{1F600}', 'd/é']);
        expect(await it.nextv(3)).toEqual(['d/~', 'd/z', 'd/b']);
        await it.close();
        const seen: string[] = [];
        for await (const k of db.keys({ gte: 'd/z', lt: 'd/~~' })) seen.push(k);
        expect(seen).toEqual(['d/z', 'd/~']);
        await db.close();
      });
    });

    describe('when a range holds more than one page', () => {
      it('walks every key once', async () => {
        const db = await store.open(await store.fresh());
        const b = db.batch();
        for (let i = 0; i < 1500; i++) b.put(`k/${i.toString(16).padStart(4, '0')}`, utf8(String(i)));
        await b.write({ sync: true });
        const all = await db.iterator({ gte: 'k/', lt: 'k/~' }).all();
        expect(all.length).toBe(1500);
        expect(all.map(([, v]) => Number(text(v)))).toEqual(Array.from({ length: 1500 }, (_, i) => i));
        const back = await db.keys({ gte: 'k/', lt: 'k/~', reverse: true, limit: 700 }).all();
        expect(back.length).toBe(700);
        expect(back[0]).toBe('k/05db');
        await db.close();
      });
    });
  });

  describe('snapshot', () => {
    describe('when the store is written after the snapshot was taken', () => {
      it('reads the state of the moment it was taken', async () => {
        const db = await store.open(await store.fresh());
        await db.put('s/1', utf8('a'));
        const snapshot = await db.snapshot();
        await db.put('s/1', utf8('b'));
        await db.put('s/2', utf8('c'));
        expect(text(await db.get('s/1', { snapshot }))).toBe('a');
        expect((await db.getMany(['s/1', 's/2'], { snapshot })).map(text)).toEqual(['a', undefined]);
        expect(await db.keys({ gte: 's/', lt: 's/~', snapshot }).all()).toEqual(['s/1']);
        expect(text(await db.get('s/1'))).toBe('b');
        await snapshot.close();
        await db.close();
      });
    });
  });

  describe('open', () => {
    describe('when another handle writes the store', () => {
      it('refuses with ERR_ALREADY_RUNNING, and opens once it is closed', async () => {
        const spec = await store.fresh();
        const a = await store.open(spec);
        await expect(store.open(spec)).rejects.toThrow(code('ERR_ALREADY_RUNNING'));
        await a.put('k', utf8('v'));
        await a.close();
        const b = await store.open(spec);
        expect(text(await b.get('k'))).toBe('v');
        await b.close();
      });
    });

    describe('when the store must exist and holds no log', () => {
      it('throws ERR_NOT_FOUND', async () => {
        await expect(store.open(await store.fresh(), { mustExist: true })).rejects.toThrow(code('ERR_NOT_FOUND'));
      });
    });
  });
});
