import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import {
  signWithdrawal,
  verifyWithdrawal,
  WITHDRAWAL_PAYLOAD_TYPE,
  WITHDRAWAL_TYPE,
} from '../../../protocol/federation/withdrawal.ts';
import { peer, seed } from './fixtures.ts';

const FED = 'ab'.repeat(32);
const W = { federationId: FED, version: 3, digest: `sha256:${'cd'.repeat(32)}`, withdrawnAt: '2026-01-01T00:00:00Z' };
const members = new Set([peer(0), peer(1)]);
const code = (c: string) => expect.objectContaining({ code: c });

describe('signWithdrawal / verifyWithdrawal', () => {
  describe('when a member withdraws its signature', () => {
    it('verifies and names the signer and the proposal', () => {
      const v = verifyWithdrawal(signWithdrawal(W, seed(1)), { federationId: FED, members });
      expect(v.signer).toBe(peer(1));
      expect(v.withdrawal).toEqual({ type: WITHDRAWAL_TYPE, ...W });
    });
  });
  describe('when the signer is not a member', () => {
    it('throws ERR_UNKNOWN_SIGNER', () => {
      expect(() => verifyWithdrawal(signWithdrawal(W, seed(5)), { federationId: FED, members })).toThrow(
        code('ERR_UNKNOWN_SIGNER'),
      );
    });
  });
  describe('when a field is changed after signing', () => {
    it('throws ERR_BAD_SIGNATURE', () => {
      const env = signWithdrawal(W, seed(0));
      const forged = { ...env, payload: toBase64(canonicalBytes({ type: WITHDRAWAL_TYPE, ...W, version: 4 })) };
      expect(() => verifyWithdrawal(forged, { federationId: FED, members })).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });
  describe('when it names another federation', () => {
    it('throws ERR_FEDERATION_MISMATCH', () => {
      const env = signWithdrawal({ ...W, federationId: 'ef'.repeat(32) }, seed(0));
      expect(() => verifyWithdrawal(env, { federationId: FED, members })).toThrow(code('ERR_FEDERATION_MISMATCH'));
    });
  });
  describe('when the payload has an extra field, a bad digest, version 1, or is not canonical', () => {
    it('throws ERR_MALFORMED_WITHDRAWAL or ERR_NOT_CANONICAL', () => {
      const sign = (v: unknown) => signAsPeer(WITHDRAWAL_PAYLOAD_TYPE, canonicalBytes(v), seed(0));
      const opts = { federationId: FED, members };
      const base = { type: WITHDRAWAL_TYPE, ...W };
      expect(() => verifyWithdrawal(sign({ ...base, extra: 1 }), opts)).toThrow(code('ERR_MALFORMED_WITHDRAWAL'));
      expect(() => verifyWithdrawal(sign({ ...base, digest: 'md5:1' }), opts)).toThrow(
        code('ERR_MALFORMED_WITHDRAWAL'),
      );
      expect(() => verifyWithdrawal(sign({ ...base, version: 1 }), opts)).toThrow(code('ERR_MALFORMED_WITHDRAWAL'));
      const loose = signAsPeer(WITHDRAWAL_PAYLOAD_TYPE, utf8(JSON.stringify(base, null, 1)), seed(0));
      expect(() => verifyWithdrawal(loose, opts)).toThrow(code('ERR_NOT_CANONICAL'));
    });
  });
  describe('when two members sign one envelope', () => {
    it('throws ERR_MALFORMED_ENVELOPE (one signature only)', () => {
      const a = signWithdrawal(W, seed(0));
      const b = signWithdrawal(W, seed(1));
      const both = { ...a, signatures: [...a.signatures, ...b.signatures] };
      expect(() => verifyWithdrawal(both, { federationId: FED, members })).toThrow(code('ERR_MALFORMED_ENVELOPE'));
    });
  });
});
