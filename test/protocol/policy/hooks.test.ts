import { describe, expect, it } from 'vitest';
import { compileRules } from '../../../protocol/policy/compile.ts';
import { evaluate } from '../../../protocol/policy/evaluate.ts';
import {
  DecisionValue,
  environmentFor,
  HOOK_NAMES,
  HOOKS,
  hookInput,
  isHookName,
  NodeValue,
} from '../../../protocol/policy/hooks.ts';
import { CardValue, DeployActivation, DeploymentValue, deployInput } from '../../../protocol/policy/registry-values.ts';

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
      expect(() => hookInput('monitor' as 'decision', { model: 'm' }, NODE)).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => hookInput('decision', { model: 'm' }, { org: 'a', jurisdiction: 'nowhere' })).toThrow(
        code('ERR_INVALID_INPUT'),
      );
    });
  });
});

describe('the deploy hook', () => {
  const rule = {
    id: 'no-serious-in-us',
    hook: 'deploy' as const,
    effect: 'deny' as const,
    expression: 'model.tier == "serious" && deployment.jurisdiction.startsWith("US") && !deployment.shadow',
    message: 'serious-tier models are not deployed in the US',
  };
  const model = {
    org: 'eu',
    name: 'fraud',
    version: '1.0.0',
    digest: `sha256:${'ab'.repeat(32)}`,
    assurance: 'files',
    status: 'approved',
    tier: 'serious',
    score: 90,
  };
  const US = { org: 'us', jurisdiction: 'US-CA' };
  const at = (m: typeof model, shadow: boolean, node = US) =>
    hookInput('deploy', new DeployActivation(m, undefined, { shadow, ...node }), node);

  describe('when a rule names model, card, deployment and node fields', () => {
    it('type-checks them, and refuses an unknown field or a wrong type at compile time', () => {
      const env = environmentFor('deploy');
      expect(env.check('deployment.shadow && deployment.org == node.org && model.score > 50').valid).toBe(true);
      expect(env.check('model.assurance == "opaque" && !card.present && model.digest != ""').valid).toBe(true);
      expect(compileRules([rule])).toHaveLength(1);
      expect(() => compileRules([{ ...rule, expression: 'deployment.region == "US"' }])).toThrow(
        code('ERR_INVALID_RULE'),
      );
      expect(() => compileRules([{ ...rule, expression: 'deployment.shadow == "yes"' }])).toThrow(
        code('ERR_INVALID_RULE'),
      );
      expect(() => compileRules([{ ...rule, expression: 'approval.role == "ciso"' }])).toThrow(
        code('ERR_INVALID_RULE'),
      );
    });
  });

  describe('when it evaluates', () => {
    it('denies a serious-tier model served in the US, not in shadow mode, another tier or elsewhere', () => {
      const rules = { global: compileRules([rule]), local: [] };
      const denied = evaluate(rules, 'deploy', at(model, false), { policyVersion: 3 });
      expect(denied).toMatchObject({ allowed: false, deny: [{ rule: 'no-serious-in-us', scope: 'global' }] });
      expect(evaluate(rules, 'deploy', at(model, true)).allowed).toBe(true);
      expect(evaluate(rules, 'deploy', at({ ...model, tier: 'high' }, false)).allowed).toBe(true);
      expect(evaluate(rules, 'deploy', at(model, false, { org: 'eu', jurisdiction: 'DE' })).allowed).toBe(true);
      // Only deploy rules run at the deploy hook.
      expect(evaluate(rules, 'approve', at(model, false)).allowed).toBe(true);
    });

    it('reads a model without a card as an empty card', () => {
      const env = environmentFor('deploy');
      expect(env.parse('card.present || card.domain != ""')(at(model, false))).toBe(false);
    });
  });

  describe('when POST /v1/evaluate gives the input (attacker-controlled)', () => {
    it('checks it and fills the defaults', () => {
      const a = hookInput(
        'deploy',
        {
          model: { org: 'eu', name: 'm', version: '1', tier: 'serious', status: 'approved', score: 90 },
          deployment: { shadow: false, org: 'us', jurisdiction: 'US-CA' },
        },
        NODE,
      );
      expect(a.deployment).toEqual(new DeploymentValue({ shadow: false, org: 'us', jurisdiction: 'US-CA' }));
      expect(a.model).toMatchObject({ digest: '', assurance: '', tier: 'serious', score: 90n });
      expect(a.card).toEqual(new CardValue(undefined));
      expect(evaluate({ global: compileRules([rule]), local: [] }, 'deploy', a).allowed).toBe(false);
    });

    it.each([
      ['no deployment', { model: { org: 'eu', name: 'm', version: '1' } }],
      ['a non-boolean shadow', { model: { org: 'eu', name: 'm', version: '1' }, deployment: { shadow: 'no' } }],
      ['no model', { deployment: { shadow: false } }],
      [
        'a fractional score',
        { model: { org: 'eu', name: 'm', version: '1', score: 1.5 }, deployment: { shadow: true } },
      ],
      [
        'a long jurisdiction',
        { model: { org: 'eu', name: 'm', version: '1' }, deployment: { shadow: true, jurisdiction: 'x'.repeat(17) } },
      ],
    ])('refuses %s with ERR_INVALID_INPUT', (_, raw) => {
      expect(() => hookInput('deploy', raw, NODE)).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => deployInput(raw)).toThrow(code('ERR_INVALID_INPUT'));
    });

    it('refuses a malformed card with the card checker’s code', () => {
      const raw = {
        model: { org: 'eu', name: 'm', version: '1' },
        card: { intendedUse: 'x', bogus: 1 },
        deployment: { shadow: false },
      };
      expect(() => hookInput('deploy', raw, NODE)).toThrow(code('ERR_INVALID_MODEL_CARD'));
    });
  });
});
