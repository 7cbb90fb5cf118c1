import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import {
  decodeModelsHello,
  decodeModelsPage,
  encodeModelsHello,
  encodeModelsPage,
  MAX_MODELS_FRAME,
  MAX_SYNC_RECORDS,
  type RegistryRecord,
} from '../../../protocol/registry/model-sync.ts';

const env = (n: number, pad = 0) => ({
  payloadType: 'application/vnd.in-toto+json',
  payload: Buffer.from(`{"n":${n}}${' '.repeat(pad)}`).toString('base64'),
  signatures: [{ keyid: 'k', sig: Buffer.alloc(64).toString('base64') }],
});
const records = (n: number, pad = 0): RegistryRecord[] =>
  Array.from({ length: n }, (_, i) => ({ kind: i % 2 === 0 ? 'registration' : 'approval', envelope: env(i, pad) }));
const code = (c: string) => expect.objectContaining({ code: c });

describe('models sync frames', () => {
  describe('when a hello and a page round-trip', () => {
    it('gives back the cursor, the records from it, next and total', () => {
      expect(decodeModelsHello(encodeModelsHello(7))).toBe(7);
      const page = decodeModelsPage(encodeModelsPage(records(5), 2));
      expect(page).toMatchObject({ next: 5, total: 5 });
      expect(page.records.map((r) => r.kind)).toEqual(['registration', 'approval', 'registration']);
    });
  });

  describe('when more records are held than fit in one page', () => {
    it(`pages by at most ${MAX_SYNC_RECORDS} records and by frame size, always at least one`, () => {
      const many = decodeModelsPage(encodeModelsPage(records(MAX_SYNC_RECORDS + 10), 0));
      expect(many.records).toHaveLength(MAX_SYNC_RECORDS);
      expect(many.next).toBe(MAX_SYNC_RECORDS);
      const big: RegistryRecord[] = records(20, 250_000).map((r) => ({ ...r, kind: 'registration' })); // ~330 KB each in base64: the 4 MiB frame holds fewer than 20
      const first = encodeModelsPage(big, 0);
      expect(first.length).toBeLessThanOrEqual(MAX_MODELS_FRAME);
      const p = decodeModelsPage(first);
      expect(p.records.length).toBeGreaterThan(0);
      expect(p.records.length).toBeLessThan(20);
      expect(decodeModelsPage(encodeModelsPage(big, p.next)).records.length).toBeGreaterThan(0);
    });
  });

  describe('when a cursor is past the end', () => {
    it('answers no records, next = total', () => {
      expect(decodeModelsPage(encodeModelsPage(records(3), 9))).toMatchObject({ records: [], next: 3, total: 3 });
    });
  });

  describe('when a frame is malformed (attacker-controlled)', () => {
    it('is ERR_INVALID_INPUT: not JSON, wrong type, extra field, negative cursor, unknown kind, next > total', () => {
      const bad = (v: unknown) => () => decodeModelsPage(utf8(JSON.stringify(v)));
      expect(() => decodeModelsHello(utf8('nope'))).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => decodeModelsHello(utf8('{"type":"models-hello","from":-1}'))).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => decodeModelsHello(utf8('{"type":"models-hello","from":1,"x":1}'))).toThrow(
        code('ERR_INVALID_INPUT'),
      );
      expect(bad({ type: 'models', records: [], next: 0, total: 0, extra: 1 })).toThrow(code('ERR_INVALID_INPUT'));
      expect(bad({ type: 'models', records: [{ kind: 'roster', envelope: env(1) }], next: 1, total: 1 })).toThrow(
        code('ERR_INVALID_INPUT'),
      );
      expect(bad({ type: 'models', records: [], next: 2, total: 1 })).toThrow(code('ERR_INVALID_INPUT'));
      expect(bad({ type: 'models', records: records(MAX_SYNC_RECORDS + 1), next: 65, total: 65 })).toThrow(
        code('ERR_INVALID_INPUT'),
      );
    });
  });
});
