import { describe, expect, it } from 'vitest';
import { opensslVerify } from '../../../node/crypto/ed25519.ts';
import { MemberLogs } from '../../../node/witness/members.ts';
import { logNoteOf, openLogNote, storedWitnessed } from '../../../node/witness/notes.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { CharterChain } from '../../../protocol/federation/chain.ts';
import { appendSignatures, parseNote } from '../../../protocol/note/index.ts';
import { buildLog, checkpointOf, federation, logName, witness } from '../../protocol/witness/fixtures.ts';

const fed = federation([0, 1, 2]);
const members = new MemberLogs(logName(1), opensslVerify);
members.update(CharterChain.fromEnvelopes(fed.id, fed.envelopes));
const ml = members.require(logName(0));
const log = buildLog(7);
const NOTE = checkpointOf(0, log, 7);
const TEXT = parseNote(NOTE).text;
const cosig = (i: number) => {
  const w = witness(i);
  return { name: w.name, keyHash: w.keyHash, signature: w.sign(utf8(TEXT)) };
};
const COSIGNED = appendSignatures(NOTE, [cosig(1), cosig(2)]);

describe('logNoteOf / openLogNote', () => {
  describe('when a note carries cosignatures after the log signature', () => {
    it('keeps the text and the log signature line only', () => {
      expect(logNoteOf(COSIGNED, ml)).toBe(NOTE);
      const opened = openLogNote(COSIGNED, ml);
      expect(opened.logNote).toBe(NOTE);
      expect(opened.checkpoint.size).toBe(7);
      expect(opened.checkpoint.rootHash).toEqual(log.roots[7]);
    });
  });

  describe('when the note is not signed by the log (attacker-controlled)', () => {
    it('is undefined / throws with a code', () => {
      const other = members.require(logName(2));
      expect(logNoteOf(NOTE, other)).toBeUndefined();
      expect(logNoteOf('nope', ml)).toBeUndefined();
      expect(() => openLogNote(NOTE, other)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_/) }));
    });
  });
});

describe('storedWitnessed', () => {
  it('reads the root and the number of cosignatures through protocol/note', () => {
    expect(storedWitnessed(COSIGNED)).toEqual({ rootHash: log.roots[7], count: 2 });
    expect(storedWitnessed(NOTE)).toEqual({ rootHash: log.roots[7], count: 0 });
  });
});
