import { describe, expect, it } from 'vitest';
import { GovfedError } from '../../../protocol/errors.ts';
import { type HashReader, readStoredHashes } from '../../../protocol/log/reader.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const hashFor = (i: number) => new Uint8Array(32).fill(i & 255);

/** A reader that answers with `answer(indexes)` and records its calls. */
function fakeReader(answer: (indexes: readonly number[]) => unknown, calls: number[][] = []): HashReader {
  return {
    readHashes(indexes) {
      calls.push([...indexes]);
      return answer(indexes) as readonly Uint8Array[];
    },
  };
}

describe('readStoredHashes', () => {
  describe('when the reader answers one 32-byte hash per index', () => {
    it('returns them in order, whether the reader is sync or async', async () => {
      const sync = fakeReader((ix) => ix.map(hashFor));
      const async = fakeReader(async (ix) => ix.map(hashFor));
      expect(await readStoredHashes(sync, [3, 1, 2])).toEqual([hashFor(3), hashFor(1), hashFor(2)]);
      expect(await readStoredHashes(async, [7])).toEqual([hashFor(7)]);
    });
  });
  describe('when no index is requested', () => {
    it('does not call the reader', async () => {
      const calls: number[][] = [];
      expect(
        await readStoredHashes(
          fakeReader(() => [], calls),
          [],
        ),
      ).toEqual([]);
      expect(calls).toEqual([]);
    });
  });
  describe('when the reader answers too few or too many hashes', () => {
    it('throws ERR_MISSING_HASH', async () => {
      await expect(
        readStoredHashes(
          fakeReader(() => [hashFor(1)]),
          [1, 2],
        ),
      ).rejects.toThrow(code('ERR_MISSING_HASH'));
      await expect(
        readStoredHashes(
          fakeReader(() => [hashFor(1), hashFor(2)]),
          [1],
        ),
      ).rejects.toThrow(code('ERR_MISSING_HASH'));
    });
  });
  describe('when a hash is missing or not 32 bytes', () => {
    it('throws ERR_MISSING_HASH', async () => {
      for (const bad of [undefined, new Uint8Array(31), new Uint8Array(33), 'x']) {
        await expect(
          readStoredHashes(
            fakeReader(() => [hashFor(1), bad]),
            [1, 2],
          ),
        ).rejects.toThrow(code('ERR_MISSING_HASH'));
      }
    });
  });
  describe('when the reader does not answer an array', () => {
    it('throws ERR_MISSING_HASH', async () => {
      await expect(
        readStoredHashes(
          fakeReader(() => null),
          [1],
        ),
      ).rejects.toThrow(code('ERR_MISSING_HASH'));
    });
  });
  describe('when the reader itself throws', () => {
    it('lets its error through unchanged', async () => {
      const boom = new GovfedError('ERR_INVALID_INPUT', 'storage is gone');
      const reader = fakeReader(() => {
        throw boom;
      });
      await expect(readStoredHashes(reader, [1])).rejects.toBe(boom);
    });
  });
});
