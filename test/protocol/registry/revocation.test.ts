import { describe, expect, it } from 'vitest';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import { keyIdOf } from '../../../protocol/dsse/index.ts';
import {
  checkRevocationPredicate,
  claimedRevocation,
  type RevocationContext,
  type RevocationPredicate,
  signRevocation,
  verifyRevocation,
} from '../../../protocol/registry/revocation.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const seed = (i: number) => Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j * 7 + 1) & 0xff);
const key = (i: number) => keyPairFromSeed(seed(i));
const signer = (i: number) => ({ keyid: keyIdOf(key(i).publicKey), seed: seed(i) });

const FED = 'ef'.repeat(32);
const DIGEST = `sha256:${'12'.repeat(32)}`;
const NOW = Date.parse('2027-03-01T00:00:00Z');
const MODEL = { org: 'eu', name: 'fraud', version: '1.0.0' };
// us/rita risk_officer (key 1), us/lee legal (key 2)
const PEOPLE = [
  { org: 'us', name: 'rita', role: 'risk_officer', publicKey: key(1).publicKey },
  { org: 'us', name: 'lee', role: 'legal', publicKey: key(2).publicKey },
];
const ctx: RevocationContext = {
  federation: FED,
  model: { ...MODEL, digest: DIGEST },
  person: (org, keyid) => PEOPLE.find((p) => p.org === org && keyIdOf(p.publicKey) === keyid),
  now: NOW,
};

const predicate = (over: Partial<RevocationPredicate> = {}): RevocationPredicate => ({
  federation: FED,
  model: MODEL,
  action: 'suspend',
  reason: 'drift beyond the contract',
  signer: { org: 'us', name: 'rita', role: 'risk_officer' },
  issuedAt: '2027-03-01T00:00:00Z',
  ...over,
});

describe('verifyRevocation', () => {
  it('verifies a risk officer’s suspension of the model digest, with its id', () => {
    const v = verifyRevocation(signRevocation(DIGEST, predicate(), signer(1)), ctx);
    expect(v.predicate).toEqual(predicate());
    expect(v.keyid).toBe(keyIdOf(key(1).publicKey));
    expect(v.id).toMatch(/^[0-9a-f]{64}$/);
    expect(claimedRevocation(signRevocation(DIGEST, predicate({ action: 'revoke' }), signer(1))).action).toBe('revoke');
  });

  it('1–2. refuses a malformed predicate: unknown field, unknown action, no reason, a role other than risk_officer', () => {
    const base = predicate() as unknown as Record<string, unknown>;
    expect(() => checkRevocationPredicate({ ...base, extra: 1 })).toThrow(code('ERR_MALFORMED_REVOCATION'));
    expect(() => checkRevocationPredicate({ ...base, action: 'pause' })).toThrow(code('ERR_MALFORMED_REVOCATION'));
    expect(() => checkRevocationPredicate({ ...base, reason: '' })).toThrow(code('ERR_MALFORMED_REVOCATION'));
    expect(() =>
      signRevocation(DIGEST, predicate({ signer: { org: 'us', name: 'lee', role: 'legal' } }), signer(2)),
    ).toThrow(code('ERR_MALFORMED_REVOCATION'));
  });

  it('3. refuses another federation, another model, another digest', () => {
    const other = signRevocation(DIGEST, predicate({ federation: 'ab'.repeat(32) }), signer(1));
    expect(() => verifyRevocation(other, ctx)).toThrow(code('ERR_REVOCATION_MISMATCH'));
    const model = signRevocation(DIGEST, predicate({ model: { ...MODEL, version: '2.0.0' } }), signer(1));
    expect(() => verifyRevocation(model, ctx)).toThrow(code('ERR_REVOCATION_MISMATCH'));
    const digest = signRevocation(`sha256:${'34'.repeat(32)}`, predicate(), signer(1));
    expect(() => verifyRevocation(digest, ctx)).toThrow(code('ERR_REVOCATION_MISMATCH'));
  });

  it('4. refuses a key that is not the named risk officer (lee claiming to be rita, a stranger)', () => {
    const lee = signRevocation(DIGEST, predicate(), signer(2));
    expect(() => verifyRevocation(lee, ctx)).toThrow(code('ERR_NOT_IN_ROSTER'));
    const stranger = signRevocation(DIGEST, predicate(), signer(9));
    expect(() => verifyRevocation(stranger, ctx)).toThrow(code('ERR_NOT_IN_ROSTER'));
  });

  it("5. refuses a forged signature under rita's key id", () => {
    const forged = signRevocation(DIGEST, predicate(), { keyid: keyIdOf(key(1).publicKey), seed: seed(9) });
    expect(() => verifyRevocation(forged, ctx)).toThrow(code('ERR_BAD_SIGNATURE'));
  });

  it('6. refuses a record issued in the future beyond the skew', () => {
    const future = signRevocation(DIGEST, predicate({ issuedAt: '2027-03-01T00:10:00Z' }), signer(1));
    expect(() => verifyRevocation(future, ctx)).toThrow(code('ERR_REVOCATION_MISMATCH'));
    expect(verifyRevocation(future, { ...ctx, skewMs: 11 * 60_000 }).predicate.action).toBe('suspend');
  });
});
