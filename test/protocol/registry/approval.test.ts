import { describe, expect, it } from 'vitest';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import { keyIdOf } from '../../../protocol/dsse/index.ts';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import {
  APPROVAL_PREDICATE_TYPE,
  type ApprovalContext,
  type ApprovalPredicate,
  type RosterPerson,
  signApproval,
  verifyApproval,
} from '../../../protocol/registry/approval.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const seed = (i: number) => Uint8Array.from({ length: 32 }, (_, j) => (i * 17 + j * 3 + 5) & 0xff);
const key = (i: number) => keyPairFromSeed(seed(i));
const signer = (i: number) => ({ keyid: keyIdOf(key(i).publicKey), seed: seed(i) });

const FED = 'ab'.repeat(32);
const DIGEST = `sha256:${'cd'.repeat(32)}`;
const NOW = Date.parse('2026-06-01T00:00:00Z');
const MODEL = { org: 'eu', name: 'fraud-model', version: '1.2.0' };

// roster: us/alice risk_officer (key 1), us/bob legal (key 2), eu/sam model_owner (key 3, the submitter)
const ROSTER: Record<string, RosterPerson[]> = {
  us: [
    { name: 'alice', role: 'risk_officer', publicKey: key(1).publicKey },
    { name: 'bob', role: 'legal', publicKey: key(2).publicKey },
  ],
  eu: [{ name: 'sam', role: 'model_owner', publicKey: key(3).publicKey }],
};

const ctx: ApprovalContext = {
  federation: FED,
  model: { ...MODEL, digest: DIGEST },
  submitterKey: key(3).publicKey,
  person: (org, keyid) => ROSTER[org]?.find((p) => keyIdOf(p.publicKey) === keyid),
  now: NOW,
};

function predicate(over: Partial<ApprovalPredicate> = {}): ApprovalPredicate {
  return {
    federation: FED,
    model: MODEL,
    approver: { org: 'us', name: 'alice', role: 'risk_officer' },
    decision: 'approve',
    issuedAt: '2026-05-31T00:00:00Z',
    expiresAt: '2026-12-31T00:00:00Z',
    ...over,
  };
}

describe('verifyApproval', () => {
  describe('when alice (risk_officer of us) signs an approval of the model', () => {
    it('verifies and says who, with the statement id', () => {
      const v = verifyApproval(signApproval(DIGEST, predicate(), signer(1)), ctx);
      expect(v.predicate.approver).toEqual({ org: 'us', name: 'alice', role: 'risk_officer' });
      expect(v.keyid).toBe(keyIdOf(key(1).publicKey));
      expect(v.id).toMatch(/^[0-9a-f]{64}$/);
    });
  });
  describe('when a rejection gives no reason', () => {
    it('is malformed (ERR_MALFORMED_APPROVAL) and cannot even be signed', () => {
      expect(() => signApproval(DIGEST, predicate({ decision: 'reject' }), signer(1))).toThrow(
        code('ERR_MALFORMED_APPROVAL'),
      );
      const ok = verifyApproval(
        signApproval(DIGEST, predicate({ decision: 'reject', reason: 'no eval' }), signer(1)),
        ctx,
      );
      expect(ok.predicate.decision).toBe('reject');
    });
  });
  describe('when the approval is about something else', () => {
    it.each([
      ['another federation', DIGEST, { federation: 'ef'.repeat(32) }],
      ['another version', DIGEST, { model: { ...MODEL, version: '1.2.1' } }],
      ['another org', DIGEST, { model: { ...MODEL, org: 'us' } }],
      ['another digest', `sha256:${'ee'.repeat(32)}`, {}],
    ])('refuses %s with ERR_APPROVAL_MISMATCH', (_, digest, over) => {
      expect(() =>
        verifyApproval(signApproval(digest, predicate(over as Partial<ApprovalPredicate>), signer(1)), ctx),
      ).toThrow(code('ERR_APPROVAL_MISMATCH'));
    });
  });
  describe('when the key is not the named person with the named role in the roster', () => {
    it.each([
      ['a key outside the roster', predicate(), signer(9)],
      ['alice claiming legal', predicate({ approver: { org: 'us', name: 'alice', role: 'legal' } }), signer(1)],
      ["bob's key claiming to be alice", predicate(), signer(2)],
      [
        'alice claiming to be of eu',
        predicate({ approver: { org: 'eu', name: 'alice', role: 'risk_officer' } }),
        signer(1),
      ],
    ])('refuses %s with ERR_NOT_IN_ROSTER', (_, p, s) => {
      expect(() => verifyApproval(signApproval(DIGEST, p, s), ctx)).toThrow(code('ERR_NOT_IN_ROSTER'));
    });
  });
  describe('when the submitter approves their own model', () => {
    it('is refused: ERR_SELF_APPROVAL', () => {
      const p = predicate({ approver: { org: 'eu', name: 'sam', role: 'model_owner' } });
      expect(() => verifyApproval(signApproval(DIGEST, p, signer(3)), ctx)).toThrow(code('ERR_SELF_APPROVAL'));
    });
  });
  describe('when it expired, or is issued in the future', () => {
    it('is refused: ERR_APPROVAL_EXPIRED', () => {
      const old = predicate({ issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2026-05-01T00:00:00Z' });
      expect(() => verifyApproval(signApproval(DIGEST, old, signer(1)), ctx)).toThrow(code('ERR_APPROVAL_EXPIRED'));
      const future = predicate({ issuedAt: '2026-06-02T00:00:00Z' });
      expect(() => verifyApproval(signApproval(DIGEST, future, signer(1)), ctx)).toThrow(code('ERR_APPROVAL_EXPIRED'));
    });
  });
  describe('when a byte of the payload or the signature changes (a forgery)', () => {
    it('is refused with a typed error', () => {
      const env = signApproval(DIGEST, predicate(), signer(1));
      const sig = Uint8Array.from(Buffer.from(env.signatures[0]?.sig as string, 'base64'));
      sig[5] = (sig[5] as number) ^ 1;
      const forged = { ...env, signatures: [{ keyid: env.signatures[0]?.keyid as string, sig: toBase64(sig) }] };
      expect(() => verifyApproval(forged, ctx)).toThrow(code('ERR_BAD_SIGNATURE'));
      const payload = Buffer.from(env.payload, 'base64').toString('utf8').replace('approve', 'reject');
      const swapped = { ...env, payload: Buffer.from(payload).toString('base64') };
      expect(() => verifyApproval(swapped, ctx)).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/^ERR_/) }),
      );
    });
  });
  describe('when the envelope carries two signatures, or the statement another predicate type', () => {
    it('is malformed', () => {
      const env = signApproval(DIGEST, predicate(), signer(1));
      const sig = env.signatures[0] as { keyid: string; sig: string };
      expect(() => verifyApproval({ ...env, signatures: [sig, sig] }, ctx)).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/^ERR_MALFORMED/) }),
      );
      const other = Buffer.from(env.payload, 'base64')
        .toString('utf8')
        .replace(APPROVAL_PREDICATE_TYPE, 'https://example.com/x/v1');
      const retyped = { ...env, payload: Buffer.from(other).toString('base64') };
      expect(() => verifyApproval(retyped, ctx)).toThrow(code('ERR_MALFORMED_APPROVAL'));
    });
  });
});

describe('the approved contract', () => {
  it('is kept as sha256:<hex> when given, and a malformed one is refused', () => {
    const contract = `sha256:${'ef'.repeat(32)}`;
    const v = verifyApproval(signApproval(DIGEST, predicate({ contract }), signer(1)), ctx);
    expect(v.predicate.contract).toBe(contract);
    expect(() => signApproval(DIGEST, predicate({ contract: 'version 2' }), signer(1))).toThrow(
      code('ERR_MALFORMED_APPROVAL'),
    );
  });
});
