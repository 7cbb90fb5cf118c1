import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { signEnvelope } from '../../../protocol/dsse/index.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import { peerIdFromSeed } from '../../../protocol/federation/peer-id.ts';
import {
  checkDeployment,
  claimedDeployment,
  DEPLOYMENT_PAYLOAD_TYPE,
  DEPLOYMENT_TYPE,
  type Deployment,
  deploymentDigest,
  deploymentFollows,
  MAX_DEPLOYMENT_REASON_CHARS,
  MAX_DEPLOYMENT_REASONS,
  signDeployment,
  verifyDeployment,
} from '../../../protocol/registry/deployment.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const FED = 'cd'.repeat(32);
const US_SEED = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const EU_SEED = Uint8Array.from({ length: 32 }, (_, i) => 100 + i);
const ctx = {
  federation: FED,
  peerIdOf: (org: string) => ({ us: peerIdFromSeed(US_SEED), eu: peerIdFromSeed(EU_SEED) })[org],
};

const first: Omit<Deployment, 'type'> = {
  federation: FED,
  org: 'us',
  seq: 1,
  previous: null,
  model: { org: 'eu', name: 'fraud', version: '1.0.0' },
  digest: `sha256:${'ab'.repeat(32)}`,
  action: 'deploy',
  shadow: false,
  contract: `sha256:${'cd'.repeat(32)}`,
  time: '2027-01-01T00:00:00Z',
};
const refusal = { ...first, action: 'refused' as const, reasons: ['not approved: pending'] };

/** A record signed by `seed` as it is, unchecked: what a faulty or hostile node could gossip. */
function signedAsIs(body: unknown, seed = US_SEED, payloadType = DEPLOYMENT_PAYLOAD_TYPE) {
  return signAsPeer(payloadType, canonicalBytes(body), seed);
}

describe('verifyDeployment', () => {
  describe("when the record is signed by its org's node", () => {
    it('returns it: a deployment, a refusal with its reasons, one without a contract', () => {
      expect(verifyDeployment(signDeployment(first, US_SEED), ctx)).toEqual({ type: DEPLOYMENT_TYPE, ...first });
      expect(verifyDeployment(signDeployment(refusal, US_SEED), ctx).reasons).toEqual(['not approved: pending']);
      const { contract: _none, ...bare } = first;
      expect(verifyDeployment(signDeployment({ ...bare, action: 'undeploy' }, US_SEED), ctx)).not.toHaveProperty(
        'contract',
      );
    });

    it('verifies the largest well-formed record (32 reasons of 512 three-byte characters)', () => {
      const reasons = Array.from({ length: MAX_DEPLOYMENT_REASONS }, () => '€'.repeat(MAX_DEPLOYMENT_REASON_CHARS));
      const big = { ...refusal, reasons };
      expect(verifyDeployment(signDeployment(big, US_SEED), ctx).reasons).toEqual(reasons);
    });
  });

  describe('1. when the envelope is not one deployment envelope', () => {
    it('refuses another payload type', () => {
      const other = signedAsIs({ type: DEPLOYMENT_TYPE, ...first }, US_SEED, 'application/json');
      expect(() => verifyDeployment(other, ctx)).toThrow(code('ERR_PAYLOAD_TYPE_MISMATCH'));
    });

    it('refuses two signatures, and a payload that is not canonical JSON', () => {
      const two = signEnvelope(DEPLOYMENT_PAYLOAD_TYPE, canonicalBytes({ type: DEPLOYMENT_TYPE, ...first }), [
        { keyid: peerIdFromSeed(US_SEED), seed: US_SEED },
        { keyid: peerIdFromSeed(EU_SEED), seed: EU_SEED },
      ]);
      expect(() => verifyDeployment(two, ctx)).toThrow(code('ERR_MALFORMED_ENVELOPE'));
      const spaced = signAsPeer(DEPLOYMENT_PAYLOAD_TYPE, utf8(JSON.stringify(first, null, 1)), US_SEED);
      expect(() => verifyDeployment(spaced, ctx)).toThrow(code('ERR_MALFORMED_DEPLOYMENT'));
    });
  });

  describe("2. when the signer is not the charter's peer of the org named", () => {
    it("refuses a record of us signed by eu's node, and a record of a non-member", () => {
      expect(() => verifyDeployment(signDeployment(first, EU_SEED), ctx)).toThrow(code('ERR_UNKNOWN_SIGNER'));
      expect(() => verifyDeployment(signDeployment({ ...first, org: 'apac' }, US_SEED), ctx)).toThrow(
        code('ERR_UNKNOWN_SIGNER'),
      );
    });

    it('refuses an unsigned malformed record as unknown signer, before reading the rest', () => {
      expect(() => verifyDeployment(signedAsIs({ ...first, extra: 1 }, EU_SEED), ctx)).toThrow(
        code('ERR_UNKNOWN_SIGNER'),
      );
    });
  });

  describe('3. when the signature does not verify', () => {
    it('refuses it', () => {
      const env = signDeployment(first, US_SEED);
      const forged = {
        ...env,
        signatures: [
          { ...env.signatures[0], sig: signDeployment({ ...first, shadow: true }, US_SEED).signatures[0]?.sig },
        ],
      };
      expect(() => verifyDeployment(forged, ctx)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });

  describe("4. when the org's node signed a malformed record", () => {
    it.each([
      ['an unknown field', { ...first, extra: 1 }],
      ['a missing field', { ...first, shadow: undefined }],
      ['a refusal without reasons', { ...first, action: 'refused' }],
      ['a refusal with no reason', { ...refusal, reasons: [] }],
      ['a refusal with 33 reasons', { ...refusal, reasons: Array.from({ length: 33 }, () => 'x') }],
      ['a reason of 513 characters', { ...refusal, reasons: ['x'.repeat(513)] }],
      ['reasons on a deploy', { ...first, reasons: ['x'] }],
      ['seq 1 with a previous', { ...first, previous: `sha256:${'00'.repeat(32)}` }],
      ['seq 2 without a previous', { ...first, seq: 2, previous: null }],
      ['seq 0', { ...first, seq: 0 }],
      ['an unknown action', { ...first, action: 'launch' }],
      ['a bad model name', { ...first, model: { ...first.model, name: '-x' } }],
      ['an extra model field', { ...first, model: { ...first.model, digest: first.digest } }],
      ['a bad digest', { ...first, digest: 'sha256:AB' }],
      ['a non-UTC time', { ...first, time: '2027-01-01T00:00:00+01:00' }],
    ])('refuses %s', (_, body) => {
      const signed = signedAsIs(JSON.parse(JSON.stringify({ type: DEPLOYMENT_TYPE, ...body })));
      expect(() => verifyDeployment(signed, ctx)).toThrow(code('ERR_MALFORMED_DEPLOYMENT'));
      expect(() => signDeployment(body as Omit<Deployment, 'type'>, US_SEED)).toThrow(code('ERR_MALFORMED_DEPLOYMENT'));
    });
  });

  describe('5. when the record is for another federation', () => {
    it('refuses it', () => {
      const other = signDeployment({ ...first, federation: 'ef'.repeat(32) }, US_SEED);
      expect(() => verifyDeployment(other, ctx)).toThrow(code('ERR_DEPLOYMENT_MISMATCH'));
    });
  });
});

describe('claimedDeployment', () => {
  it('reads the record without believing it (any signer), shape-checked', () => {
    expect(claimedDeployment(signDeployment(first, EU_SEED)).org).toBe('us');
    expect(() => claimedDeployment(signedAsIs({ type: DEPLOYMENT_TYPE, ...first, extra: 1 }))).toThrow(
      code('ERR_MALFORMED_DEPLOYMENT'),
    );
  });
});

describe('deploymentDigest', () => {
  it('is sha256 of the canonical bytes, the same for an equal record', () => {
    const one = checkDeployment({ type: DEPLOYMENT_TYPE, ...first });
    expect(deploymentDigest(one)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(deploymentDigest({ ...one, model: { version: '1.0.0', name: 'fraud', org: 'eu' } })).toBe(
      deploymentDigest(one),
    );
    expect(deploymentDigest({ ...one, shadow: true })).not.toBe(deploymentDigest(one));
  });
});

describe('deploymentFollows', () => {
  const one = checkDeployment({ type: DEPLOYMENT_TYPE, ...first });
  const two: Deployment = { ...one, seq: 2, previous: deploymentDigest(one), action: 'undeploy' };
  const held = [{ seq: 1, digest: deploymentDigest(one) }];

  describe('when the record fits the held chain', () => {
    it('places the next, a held and a later record', () => {
      expect(deploymentFollows(one, [])).toBe('next');
      expect(deploymentFollows(one, held)).toBe('held');
      expect(deploymentFollows(two, held)).toBe('next');
      expect(deploymentFollows({ ...two, seq: 3 }, held)).toBe('later');
      expect(deploymentFollows({ ...two, seq: 3 }, [])).toBe('later');
    });
  });

  describe('when it does not', () => {
    it('refuses another record at a held seq, and a wrong previous', () => {
      expect(() => deploymentFollows({ ...one, shadow: true }, held)).toThrow(code('ERR_DEPLOYMENT_MISMATCH'));
      expect(() => deploymentFollows({ ...two, previous: `sha256:${'00'.repeat(32)}` }, held)).toThrow(
        code('ERR_DEPLOYMENT_MISMATCH'),
      );
    });
  });
});
