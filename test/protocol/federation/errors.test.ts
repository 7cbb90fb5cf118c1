import { describe, expect, it } from 'vitest';
import { GovfedError, isGovfedError } from '../../../protocol/errors.ts';
import { GossipValidationError, isGossipValidationError } from '../../../protocol/federation/errors.ts';

describe('GossipValidationError', () => {
  describe('when constructed', () => {
    it('is a GovfedError with a code and an action', () => {
      const err = new GossipValidationError('ERR_STALE_VERSION', 'ignore', 'old');
      expect(err).toBeInstanceOf(GovfedError);
      expect(isGovfedError(err, 'ERR_STALE_VERSION')).toBe(true);
      expect(isGossipValidationError(err, 'ERR_STALE_VERSION')).toBe(true);
      expect(err.action).toBe('ignore');
      expect(err.name).toBe('GossipValidationError');
    });
  });
  describe('when checking a plain GovfedError', () => {
    it('is not a GossipValidationError', () => {
      expect(isGossipValidationError(new GovfedError('ERR_BAD_SIGNATURE', 'x'))).toBe(false);
    });
  });
});
