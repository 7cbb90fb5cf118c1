import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import { keyIdOf } from '../../../protocol/dsse/index.ts';
import type { RosterPerson } from '../../../protocol/registry/approval.ts';
import {
  type RegistrationContext,
  type RegistrationPredicate,
  registrationId,
  signRegistration,
  verifyRegistration,
} from '../../../protocol/registry/registration.ts';
import { repoPath } from '../../helpers/paths.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const seed = (i: number) => Uint8Array.from({ length: 32 }, (_, j) => (i * 13 + j * 5 + 7) & 0xff);
const key = (i: number) => keyPairFromSeed(seed(i));
const signer = (i: number) => ({ keyid: keyIdOf(key(i).publicKey), seed: seed(i) });
const FED = 'ab'.repeat(32);
const DIGEST = `sha256:${'cd'.repeat(32)}`;
const CARD = JSON.parse(readFileSync(repoPath('docs/examples/model-card.json'), 'utf8')) as Record<string, unknown>;
const ROSTER: Record<string, RosterPerson[]> = {
  eu: [{ name: 'sam', role: 'model_owner', publicKey: key(1).publicKey }],
  us: [{ name: 'ann', role: 'model_owner', publicKey: key(2).publicKey }],
};
const ctx: RegistrationContext = {
  federation: FED,
  person: (org, keyid) => ROSTER[org]?.find((p) => keyIdOf(p.publicKey) === keyid),
};

function predicate(over: Partial<RegistrationPredicate> = {}): RegistrationPredicate {
  return {
    federation: FED,
    model: { org: 'eu', name: 'fraud-model', version: '1.2.0' },
    assurance: 'files',
    card: CARD as unknown as RegistrationPredicate['card'],
    risk: {
      score: 30,
      tier: 'medium',
      hits: [{ rule: 'personal-data', points: 30 }],
      policyVersion: 2,
      policyDigest: DIGEST,
    },
    submitter: { name: 'sam', role: 'model_owner' },
    registeredAt: '2026-06-01T00:00:00Z',
    ...over,
  };
}

describe('verifyRegistration', () => {
  describe("when sam (model_owner of eu) signs a registration of eu's model", () => {
    it('verifies: the digest, the submitter key, a stable id', () => {
      const env = signRegistration(DIGEST, predicate(), signer(1));
      const v = verifyRegistration(env, ctx);
      expect(v.digest).toBe(DIGEST);
      expect(v.keyid).toBe(keyIdOf(key(1).publicKey));
      expect(registrationId(env)).toMatch(/^[0-9a-f]{64}$/);
    });
  });
  describe('when the card is prohibited (EU AI Act Art. 5)', () => {
    it('cannot be signed', () => {
      const { annexIIIArea: _, ...rest } = CARD;
      const card = { ...rest, euAiActCategory: 'prohibited' } as unknown as RegistrationPredicate['card'];
      expect(() => signRegistration(DIGEST, predicate({ card }), signer(1))).toThrow(code('ERR_MODEL_PROHIBITED'));
    });
  });
  describe("when someone of another org signs for eu's model, or a key outside the roster", () => {
    it('is ERR_NOT_IN_ROSTER', () => {
      expect(() => verifyRegistration(signRegistration(DIGEST, predicate(), signer(2)), ctx)).toThrow(
        code('ERR_NOT_IN_ROSTER'),
      );
      expect(() => verifyRegistration(signRegistration(DIGEST, predicate(), signer(9)), ctx)).toThrow(
        code('ERR_NOT_IN_ROSTER'),
      );
    });
  });
  describe('when it was made for another federation', () => {
    it('is ERR_REGISTRATION_MISMATCH', () => {
      const env = signRegistration(DIGEST, predicate({ federation: 'ef'.repeat(32) }), signer(1));
      expect(() => verifyRegistration(env, ctx)).toThrow(code('ERR_REGISTRATION_MISMATCH'));
    });
  });
  describe('when the predicate is malformed', () => {
    it.each([
      ['an opaque model without external', { assurance: 'opaque' as const }],
      ['an unknown risk tier', { risk: { ...predicate().risk, tier: 'extreme' as 'low' } }],
      [
        'oms on an external model',
        {
          assurance: 'opaque' as const,
          external: { provider: 'p', model: 'm', snapshot: 's' },
          oms: { method: 'key' as const },
        },
      ],
    ])('refuses %s', (_, over) => {
      expect(() => signRegistration(DIGEST, predicate(over), signer(1))).toThrow(code('ERR_MALFORMED_REGISTRATION'));
    });
  });
  describe('when a signature byte changes', () => {
    it('is ERR_BAD_SIGNATURE', () => {
      const env = signRegistration(DIGEST, predicate(), signer(1));
      const sig = Buffer.from(env.signatures[0]?.sig as string, 'base64');
      sig[3] = (sig[3] as number) ^ 1;
      const forged = {
        ...env,
        signatures: [{ keyid: env.signatures[0]?.keyid as string, sig: sig.toString('base64') }],
      };
      expect(() => verifyRegistration(forged, ctx)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });
});
