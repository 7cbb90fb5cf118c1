import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { signEnvelope } from '../../../protocol/dsse/index.ts';
import { peerIdFromSeed } from '../../../protocol/federation/peer-id.ts';
import {
  DEPLOYMENT_PAYLOAD_TYPE,
  DEPLOYMENT_TYPE,
  type Deployment,
  deploymentDigest,
  deploymentFollows,
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

describe('verifyDeployment', () => {
  it("verifies a record signed by its org's node", () => {
    const d = verifyDeployment(signDeployment(first, US_SEED), ctx);
    expect(d).toEqual({ type: DEPLOYMENT_TYPE, ...first });
  });

  it('1. refuses another payload type, and two signatures', () => {
    const other = signEnvelope('application/json', canonicalBytes({ type: DEPLOYMENT_TYPE, ...first }), [
      { keyid: peerIdFromSeed(US_SEED), seed: US_SEED },
    ]);
    expect(() => verifyDeployment(other, ctx)).toThrow(code('ERR_PAYLOAD_TYPE_MISMATCH'));
    const two = signEnvelope(DEPLOYMENT_PAYLOAD_TYPE, canonicalBytes({ type: DEPLOYMENT_TYPE, ...first }), [
      { keyid: peerIdFromSeed(US_SEED), seed: US_SEED },
      { keyid: peerIdFromSeed(EU_SEED), seed: EU_SEED },
    ]);
    expect(() => verifyDeployment(two, ctx)).toThrow();
  });

  it("2. refuses a record of us signed by eu's node, and of a non-member", () => {
    expect(() => verifyDeployment(signDeployment(first, EU_SEED), ctx)).toThrow(code('ERR_UNKNOWN_SIGNER'));
    expect(() => verifyDeployment(signDeployment({ ...first, org: 'apac' }, US_SEED), ctx)).toThrow(
      code('ERR_UNKNOWN_SIGNER'),
    );
  });

  it('3. refuses a forged signature', () => {
    const env = signDeployment(first, US_SEED);
    const forged = {
      ...env,
      signatures: [
        { ...env.signatures[0], sig: signDeployment({ ...first, shadow: true }, US_SEED).signatures[0]?.sig },
      ],
    };
    expect(() => verifyDeployment(forged, ctx)).toThrow(code('ERR_BAD_SIGNATURE'));
  });

  it('4. refuses a malformed record', () => {
    for (const bad of [
      { ...first, extra: 1 },
      { ...first, seq: 1, previous: `sha256:${'00'.repeat(32)}` },
      { ...first, seq: 2, previous: null },
      { ...first, action: 'refused' },
      { ...first, reasons: ['x'] },
      { ...first, action: 'launch' },
    ]) {
      expect(() => signDeployment(bad as Omit<Deployment, 'type'>, US_SEED)).toThrow(code('ERR_MALFORMED_DEPLOYMENT'));
    }
    const refused = { ...first, action: 'refused' as const, reasons: ['not approved: pending'] };
    expect(verifyDeployment(signDeployment(refused, US_SEED), ctx).reasons).toEqual(['not approved: pending']);
  });

  it('5. refuses another federation', () => {
    const other = signDeployment({ ...first, federation: 'ef'.repeat(32) }, US_SEED);
    expect(() => verifyDeployment(other, ctx)).toThrow(code('ERR_DEPLOYMENT_MISMATCH'));
  });
});

describe('deploymentFollows', () => {
  const one = { type: DEPLOYMENT_TYPE, ...first } as Deployment;
  const two: Deployment = { ...one, seq: 2, previous: deploymentDigest(one), action: 'undeploy' };
  const held = [{ seq: 1, digest: deploymentDigest(one) }];
  it('places the next, a held and a later record', () => {
    expect(deploymentFollows(one, [])).toBe('next');
    expect(deploymentFollows(one, held)).toBe('held');
    expect(deploymentFollows(two, held)).toBe('next');
    expect(deploymentFollows({ ...two, seq: 3 }, held)).toBe('later');
  });
  it('refuses another record at a held seq, and a wrong previous', () => {
    expect(() => deploymentFollows({ ...one, shadow: true }, held)).toThrow(code('ERR_DEPLOYMENT_MISMATCH'));
    expect(() => deploymentFollows({ ...two, previous: `sha256:${'00'.repeat(32)}` }, held)).toThrow(
      code('ERR_DEPLOYMENT_MISMATCH'),
    );
  });
});
