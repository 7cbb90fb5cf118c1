import { describe, expect, it } from 'vitest';
import { verdictOf } from '../../../node/p2p/pubsub.ts';
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
