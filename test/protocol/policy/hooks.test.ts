import { describe, expect, it } from 'vitest';
import {
  DecisionValue,
  environmentFor,
  HOOK_NAMES,
  HOOKS,
  hookInput,
  isHookName,
  NodeValue,
} from '../../../protocol/policy/hooks.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const NODE = { org: 'acme', jurisdiction: 'DE' };

describe('HOOKS', () => {
  describe('when listed', () => {
    it('declares the decision hook and the registry hooks with their variables', () => {
      expect(HOOK_NAMES).toEqual(['decision', 'register', 'approve', 'deploy']);
      expect(HOOKS.decision.variables).toEqual({ decision: 'Decision', model: 'DecisionModel' });
      expect(HOOKS.register.variables).toEqual({ card: 'Card', model: 'RegisteredModel', risk: 'Risk' });
      expect(HOOKS.approve.variables).toEqual({ approval: 'Approval', model: 'ApprovalModel', card: 'Card' });
      expect(HOOKS.deploy.variables).toEqual({ model: 'ApprovalModel', card: 'Card', deployment: 'Deployment' });
      expect(isHookName('decision')).toBe(true);
      expect(isHookName('toString')).toBe(false);
    });
  });
});

describe('environmentFor', () => {
  describe('when a rule uses the declared variables and fields', () => {
    it('type-checks them', () => {
      const env = environmentFor('decision');
      expect(env.check("node.org == 'x' && decision.timestamp > timestamp('2024-01-01T00:00:00Z')").valid).toBe(true);
      expect(env.check("decision.dataClasses.exists(c, c == 'pii')").valid).toBe(true);
      expect(env.check('decision.nope').valid).toBe(false);
      expect(env.check('other').valid).toBe(false);
    });
  });
});

describe('the decision hook’s model variable', () => {
  describe('when the caller resolved the model in the registry', () => {
    it('is the registry’s answer; without one it is unknown', () => {
      const env = environmentFor('decision');
      const rule = env.parse('model.known && model.status == "approved" && model.tier != "serious"');
      const decision = { model: 'fraud@1', output: 'ok' };
      const known = {
        known: true,
        org: 'eu',
        name: 'fraud',
        version: '1',
        digest: 'sha256:x',
        status: 'approved',
        tier: 'low',
      };
      expect(rule(hookInput('decision', decision, NODE, 0, { model: known }))).toBe(true);
      expect(rule(hookInput('decision', decision, NODE, 0))).toBe(false);
      expect(env.parse('model.status')(hookInput('decision', decision, NODE, 0))).toBe('unknown');
    });
  });
});

describe('the register hook', () => {
  describe('when a score rule is compiled', () => {
    it('sees card, model and node but not risk (what it computes); deny rules see risk', () => {
      expect(
        environmentFor('register', true).check('size(card.datasets) == 0 && model.assurance == "opaque"').valid,
      ).toBe(true);
      expect(environmentFor('register', true).check('risk.score > 10').valid).toBe(false);
      expect(environmentFor('register').check('risk.tier == "high" && !card.present').valid).toBe(true);
    });
  });
  describe('when POST /v1/evaluate gives a malformed card (attacker-controlled)', () => {
    it('is refused with the card checker’s code, naming the field', () => {
      const model = { org: 'eu', name: 'm', version: '1', digest: '', assurance: 'files' };
      expect(() => hookInput('register', { card: { intendedUse: 'x', bogus: 1 }, model }, NODE)).toThrow(
        code('ERR_INVALID_MODEL_CARD'),
      );
      expect(() => hookInput('register', { model: 'eu/m@1' }, NODE)).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});

describe('hookInput', () => {
  describe('when the decision has only the required fields', () => {
    it('fills the defaults (jurisdiction from the node)', () => {
      const a = hookInput('decision', { model: 'm' }, NODE, Date.parse('2025-02-03T04:05:06Z'));
      const d = a.decision as DecisionValue;
      expect(d).toBeInstanceOf(DecisionValue);
      expect(a.node).toBeInstanceOf(NodeValue);
      expect({ ...d, timestamp: d.timestamp.toISOString() }).toEqual({
        model: 'm',
        decisionId: '',
        timestamp: '2025-02-03T04:05:06.000Z',
        inputDigest: '',
        output: null,
        jurisdiction: 'DE',
        dataClasses: [],
        context: {},
      });
    });
  });

  describe('when the input is a full record (with nonce)', () => {
    it('keeps its values', () => {
      const rec = {
        model: 'm',
        decisionId: 'd1',
        timestamp: '2025-01-01T00:00:00Z',
        inputDigest: 'sha256:aa',
        output: { label: 'yes' },
        jurisdiction: 'EU',
        dataClasses: ['pii'],
        context: { risk: 'high' },
        nonce: 'AAAAAAAAAAAAAAAAAAAAAA==',
      };
      const d = hookInput('decision', rec, NODE).decision as DecisionValue;
      expect(d.jurisdiction).toBe('EU');
      expect(d.timestamp.getTime()).toBe(Date.parse(rec.timestamp));
      expect(d.context).toEqual({ risk: 'high' });
    });
  });

  describe('when the input is malformed (attacker-controlled)', () => {
    it.each([
      ['not an object', 'x'],
      ['no model', { output: 1 }],
      ['an unknown field', { model: 'm', extra: 1 }],
      ['a bad timestamp', { model: 'm', timestamp: '2025-02-30T00:00:00Z' }],
      ['a bad jurisdiction', { model: 'm', jurisdiction: 'eu' }],
      ['bad data classes', { model: 'm', dataClasses: ['a b'] }],
      ['a non-object context', { model: 'm', context: [] }],
    ])('rejects %s with ERR_INVALID_RECORD', (_, raw) => {
      expect(() => hookInput('decision', raw, NODE)).toThrow(code('ERR_INVALID_RECORD'));
    });

    it('rejects an unknown hook and a bad node with ERR_INVALID_INPUT', () => {
      expect(() => hookInput('deploy' as 'decision', { model: 'm' }, NODE)).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => hookInput('decision', { model: 'm' }, { org: 'a', jurisdiction: 'nowhere' })).toThrow(
        code('ERR_INVALID_INPUT'),
      );
    });
  });
});

describe('the deploy hook', async () => {
  const { compileRules } = await import('../../../protocol/policy/index.ts');
  const { deployInput } = await import('../../../protocol/policy/registry-values.ts');
  const rule = {
    id: 'no-serious-in-us',
    hook: 'deploy' as const,
    effect: 'deny' as const,
    expression: 'model.tier == "serious" && deployment.jurisdiction.startsWith("US") && !deployment.shadow',
    message: 'serious-tier models are not deployed in the US',
  };
  it('compiles a rule over deployment and model, and refuses an unknown field', () => {
    expect(compileRules([rule])).toHaveLength(1);
    expect(() => compileRules([{ ...rule, expression: 'deployment.region == "US"' }])).toThrow();
  });
  it('checks an attacker-controlled input (POST /v1/evaluate)', () => {
    const ok = deployInput({
      model: { org: 'eu', name: 'm', version: '1', tier: 'serious', status: 'approved', score: 90 },
      deployment: { shadow: false, org: 'us', jurisdiction: 'US-CA' },
    });
    expect((ok.deployment as { jurisdiction: string }).jurisdiction).toBe('US-CA');
    expect(() => deployInput({ model: { org: 'eu', name: 'm', version: '1' }, deployment: { shadow: 'no' } })).toThrow(
      'deployment.shadow',
    );
  });
});
