/**
 * Shared fixtures for the policy tests: a federation of five members (policy threshold 2) from the
 * federation fixtures' fixed keys, and bundles over it. Everything is deterministic.
 */
import { CharterChain } from '../../../protocol/federation/chain.ts';
import { federationId } from '../../../protocol/federation/charter.ts';
import type { Envelope } from '../../../protocol/federation/envelope.ts';
import { BASELINE_TYPE, baselineDigest, type PolicyBaseline } from '../../../protocol/policy/baseline.ts';
import type { Rule } from '../../../protocol/policy/rule.ts';
import { addBundleSignature, signBaseline } from '../../../protocol/policy/signing.ts';
import { makeGenesis, seed, signedBy } from '../federation/fixtures.ts';

export { member, peer, seed } from '../federation/fixtures.ts';

export const T0 = '2025-01-01T00:00:00Z';
export const T0_MS = Date.parse(T0);
export const LATER = '2026-01-01T00:00:00Z';

/** Members 0..4, policy threshold 2. */
export function federation(): CharterChain {
  const g = makeGenesis([0, 1, 2, 3, 4], { policy: 2 });
  return new CharterChain(signedBy(g, [0, 1, 2, 3, 4]));
}

export const FED = federationId(makeGenesis([0, 1, 2, 3, 4], { policy: 2 }));

export const EU_BIOMETRIC: Rule = {
  id: 'no-biometric-in-eu',
  hook: 'decision',
  effect: 'deny',
  expression: "'biometric' in decision.dataClasses && decision.jurisdiction == 'EU'",
  message: 'biometric data may not be processed in the EU',
};

export function rule(expression: string, over: Partial<Rule> = {}): Rule {
  return { id: 'r', hook: 'decision', effect: 'deny', expression, message: 'm', ...over };
}

/** Bundle `version` with `previous` and rules (defaults: the EU rule, valid T0..LATER). */
export function bundle(
  version: number,
  previous: PolicyBaseline | null,
  over: Partial<PolicyBaseline> = {},
): PolicyBaseline {
  return {
    type: BASELINE_TYPE,
    federationId: FED,
    version,
    previous: previous === null ? null : baselineDigest(previous),
    createdAt: T0,
    expiresAt: LATER,
    rules: [EU_BIOMETRIC],
    ...over,
  };
}

/** `b` signed by the peers with these indexes. */
export function signed(b: PolicyBaseline, signers: readonly number[]): Envelope {
  const [first, ...rest] = signers;
  if (first === undefined) throw new Error('signed: need a signer');
  let env = signBaseline(b, seed(first));
  for (const i of rest) env = addBundleSignature(env, seed(i));
  return env;
}
