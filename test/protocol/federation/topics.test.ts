import { describe, expect, it } from 'vitest';
import { parseTopic, SYNC_PROTOCOL, topicFor } from '../../../protocol/federation/topics.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const FED = 'a1'.repeat(32);

describe('topicFor', () => {
  describe('when given a federation id and a kind', () => {
    it('builds /govfed/<id>/<kind>/1', () => {
      expect(topicFor(FED, 'charter')).toBe(`/govfed/${FED}/charter/1`);
      expect(topicFor(FED, 'proposal')).toBe(`/govfed/${FED}/proposal/1`);
    });
  });
  describe('when the id or kind is malformed', () => {
    it('throws ERR_INVALID_INPUT', () => {
      expect(() => topicFor('A1'.repeat(32), 'charter')).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => topicFor(FED, 'Charter')).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => topicFor(FED, 'a/b')).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});

describe('parseTopic', () => {
  describe('for a topic made by topicFor', () => {
    it('returns its parts', () => {
      expect(parseTopic(topicFor(FED, 'checkpoint'))).toEqual({ federationId: FED, kind: 'checkpoint' });
    });
  });
  describe('for any other string', () => {
    it('returns undefined', () => {
      expect(parseTopic(`/govfed/${FED}/charter/2`)).toBeUndefined();
      expect(parseTopic(SYNC_PROTOCOL)).toBeUndefined();
    });
  });
});
