import { describe, expect, it } from 'vitest';
import * as policy from '../../../protocol/policy/index.ts';

describe('protocol/policy public face', () => {
  describe('when imported', () => {
    it('exports the names node/ builds on', () => {
      for (const name of [
        'checkRule',
        'checkRules',
        'HOOKS',
        'hookInput',
        'compileRule',
        'compileRules',
        'checkRuleSet',
        'PolicyRuleError',
        'evaluate',
        'checkBaseline',
        'encodeBaseline',
        'decodeBaseline',
        'decodeBaselineEnvelope',
        'baselineDigest',
        'signBaseline',
        'addBundleSignature',
        'mergeBundleSignatures',
        'bundleStatus',
        'PolicyChain',
        'signReceipt',
        'verifyReceipt',
        'receiptOf',
        'checkLocalPolicy',
        'encodePolicySyncMessage',
        'decodePolicySyncMessage',
      ]) {
        expect(policy, name).toHaveProperty(name);
      }
      expect(policy.POLICY_PAYLOAD_TYPE).toBe('application/vnd.govfed.policy+json');
      expect(policy.RECEIPT_PAYLOAD_TYPE).toBe('application/vnd.govfed.policy-receipt+json');
      expect(policy.POLICY_SYNC_PROTOCOL).toBe('/govfed/policy/1.0.0');
      expect(policy.BASELINE_TYPE).toBe('govfed.policy/v1');
    });
  });
});
