import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMemberCard, readMemberCardFile } from '../../cli/member-card-file.ts';
import { MAX_MEMBER_CARD_BYTES } from '../../protocol/federation/member-card.ts';
import { makeTempDir, ROOT, removeDir } from '../helpers/cli.ts';

const VECTORS = path.join(ROOT, 'test', 'vectors', 'member-card');
const code = (c: string) => expect.objectContaining({ code: c });
let tmp: string;

beforeAll(async () => {
  tmp = await makeTempDir('govfed-cardfile-');
});
afterAll(async () => {
  await removeDir(tmp);
});

describe('readMemberCardFile', () => {
  describe('when the file is a valid card, in any layout', () => {
    it('returns the card', async () => {
      for (const f of ['valid.json', 'reindented.json', 'compact.json']) {
        expect((await readMemberCardFile('t', path.join(VECTORS, f))).org, f).toBe('us');
      }
    });
  });
  describe('when the file is missing', () => {
    it('throws ERR_READ_FILE (exit 4) naming the file', async () => {
      const p = readMemberCardFile('t', path.join(tmp, 'missing.json'));
      await expect(p).rejects.toThrow(code('ERR_READ_FILE'));
      await expect(p).rejects.toMatchObject({ exitCode: 4, message: expect.stringContaining('missing.json') });
    });
  });
  describe('when the file is larger than a card', () => {
    it('throws ERR_MALFORMED_MEMBER_CARD (exit 1) without reading it all', async () => {
      const big = path.join(tmp, 'big.json');
      await writeFile(big, ' '.repeat(MAX_MEMBER_CARD_BYTES * 4));
      await expect(readMemberCardFile('t', big)).rejects.toMatchObject({
        code: 'ERR_MALFORMED_MEMBER_CARD',
        exitCode: 1,
      });
    });
  });
  describe('when the card is tampered or signed by another key', () => {
    it('throws the protocol code', async () => {
      await expect(readMemberCardFile('t', path.join(VECTORS, 'tampered.json'))).rejects.toThrow(
        code('ERR_BAD_SIGNATURE'),
      );
      await expect(readMemberCardFile('t', path.join(VECTORS, 'wrong-signer.json'))).rejects.toThrow(
        code('ERR_UNKNOWN_SIGNER'),
      );
    });
  });
});

describe('formatMemberCard', () => {
  it('says when a card has no keys or addresses', async () => {
    const text = formatMemberCard(await readMemberCardFile('t', path.join(VECTORS, 'no-keys.json')));
    expect(text).toContain('cannot be proven');
    expect(text).toContain('cannot cosign');
  });
});
