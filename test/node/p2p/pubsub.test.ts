import { describe, expect, it } from 'vitest';
import { frameError, verdictOf } from '../../../node/p2p/pubsub.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import { GossipValidationError } from '../../../protocol/federation/index.ts';

describe('verdictOf', () => {
  describe('when the error is a GossipValidationError', () => {
    it('keeps its action (reject penalises the peer, ignore does not)', () => {
      const reject = new GossipValidationError('ERR_BAD_SIGNATURE', 'reject', 'x');
      const ignore = new GossipValidationError('ERR_CLOCK_SKEW', 'ignore', 'x');
      expect(verdictOf(reject)).toEqual({ result: 'reject', error: reject });
      expect(verdictOf(ignore)).toEqual({ result: 'ignore', error: ignore });
    });
  });

  describe('when the error is anything else', () => {
    it('rejects (the message made our checks throw)', () => {
      const err = new GovfedError('ERR_THRESHOLD_NOT_MET', 'x');
      expect(verdictOf(err).result).toBe('reject');
      expect(verdictOf(new Error('boom')).result).toBe('reject');
    });
  });
});

describe('frameError', () => {
  const named = (name: string) => Object.assign(new Error('x'), { name });
  describe('when gossipsub could not read a frame because of its length prefix', () => {
    it('names the fault: too large, or malformed', () => {
      expect(frameError(named('InvalidDataLengthError'))?.code).toBe('ERR_MESSAGE_TOO_LARGE');
      expect(frameError(named('InvalidDataLengthLengthError'))?.code).toBe('ERR_MALFORMED_GOSSIP');
      expect(frameError(named('InvalidMessageLengthError'))?.code).toBe('ERR_MALFORMED_GOSSIP');
    });
  });

  describe('when the stream just ended (a reset, a closed connection)', () => {
    it('is no fault of the sender', () => {
      expect(frameError(named('StreamResetError'))).toBeUndefined();
      expect(frameError(new Error('the connection was closed'))).toBeUndefined();
    });
  });
});
