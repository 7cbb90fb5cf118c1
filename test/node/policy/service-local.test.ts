/**
 * PolicyService with three members in one process (rig.ts): the local overlay (stricter rules only),
 * local rules held over the cost limit, an expired baseline, metrics, a node in no federation.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { ATTACK } from '../../protocol/policy/costly.ts';
import { BIO, federation, freshNet, type Member, net, RULE, settle, tearDown } from './rig.ts';

afterEach(tearDown);

describe('PolicyService', () => {
  describe('when local rules are installed', () => {
    it('adds denials, survives a restart, is audited, and cannot lift a global deny', async () => {
      const ms = await federation(1);
      const [eu] = ms as [Member];
      await eu.service.propose({ rules: [RULE] }); // threshold 1: applied at once
      await settle();
      const local = await eu.service.setLocal({
        rules: [
          { id: 'no-risky', hook: 'decision', effect: 'deny', expression: "decision.model == 'risky'", message: 'no' },
          { ...RULE, expression: 'false' },
        ],
      });
      expect(local.version).toBe(1);
      expect(eu.service.evaluate('decision', { model: 'risky', output: 1 }).deny).toEqual([
        { rule: 'no-risky', message: 'no', scope: 'local' },
      ]);
      expect(eu.service.evaluate('decision', BIO).allowed).toBe(false);
      expect(eu.leaves.map((l) => l.kind)).toContain('policy.local');
      await expect(eu.service.setLocal({ rules: [{ ...RULE, expression: 'decision.model' }] })).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_RULE' }),
      );
      expect(eu.service.local().version).toBe(1);
      await eu.service.stop();
      const again = net.service(eu);
      await again.start();
      expect(again.evaluate('decision', { model: 'risky', output: 1 }).allowed).toBe(false);
    });
  });

  describe('when held local rules are over the cost limit (installed before the limit existed)', () => {
    it('still starts and enforces them, each stopped at its runtime budget and denying', async () => {
      const [eu] = (await federation(1)) as Member[];
      const node = eu as Member;
      await node.service.setLocal({ rules: [{ ...ATTACK, expression: 'false' }] });
      await node.service.stop();
      const file = join(node.dir, 'policy', 'state.json');
      const state = JSON.parse(await readFile(file, 'utf8')) as { local: { rules: { expression: string }[] } };
      (state.local.rules[0] as { expression: string }).expression = ATTACK.expression;
      await writeFile(file, JSON.stringify(state));
      const again = net.service(node);
      await again.start();
      const big = { model: 'm', output: 1, dataClasses: ['a', 'b', 'c', 'd'], context: { s: 'a'.repeat(30_000) } };
      expect(again.evaluate('decision', big).deny).toEqual([
        expect.objectContaining({ rule: 'attack', scope: 'local', error: expect.stringContaining('budget') }),
      ]);
      await expect(again.setLocal({ rules: [ATTACK] })).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_RULE_TOO_COSTLY' }),
      );
    });
  });

  describe('when the baseline expires', () => {
    it('still enforces it and says so in every verdict and the status', async () => {
      const [eu] = (await federation(1)) as Member[];
      await (eu as Member).service.propose({
        rules: [RULE],
        expiresAt: new Date(net.clock + 60_000).toISOString(),
      });
      await settle();
      expect((eu as Member).service.evaluate('decision', BIO).expired).toBeUndefined();
      net.clock += 120_000;
      expect((eu as Member).service.evaluate('decision', BIO)).toMatchObject({ allowed: false, expired: true });
      expect((eu as Member).service.policyStatus().self.expired).toBe(true);
    });
  });

  describe('when metrics are registered', () => {
    it('exports the version, expiry, evaluations by verdict and rejections by code', async () => {
      const [eu] = (await federation(1)) as Member[];
      const registry = new Registry();
      const s = net.service(eu as Member, registry);
      await s.start();
      s.onCharter(net.chain);
      await s.propose({ rules: [RULE], expiresAt: new Date(net.clock + 60_000).toISOString() });
      s.evaluate('decision', BIO);
      s.evaluate('decision', { model: 'm', output: 1 });
      s.evaluate('decision', { model: 'm', output: 2 });
      const forged = {
        payloadType: 'application/vnd.govfed.policy+json',
        payload: 'e30=', // {}: not a bundle
        signatures: [{ keyid: (eu as Member).peerId, sig: Buffer.alloc(64).toString('base64') }],
      };
      await s.protocols?.['/govfed/policy/1.0.0']?.handle(
        canonicalBytes({ envelopes: [forged], type: 'policies' }),
        (eu as Member).peerId,
      );
      net.clock += 120_000;
      const text = await registry.metrics();
      expect(text).toMatch(/^govfed_policy_version 1$/m);
      expect(text).toMatch(/^govfed_policy_expired 1$/m);
      expect(text).toMatch(/^govfed_policy_evaluations_total\{verdict="denied"\} 1$/m);
      expect(text).toMatch(/^govfed_policy_evaluations_total\{verdict="allowed"\} 2$/m);
      expect(text).toMatch(/^govfed_policy_rejected_total\{code="ERR_[A-Z_]+"\} 1$/m);
    });
  });

  describe('when the node is in no federation', () => {
    it('proposes nothing (ERR_NO_FEDERATION) but enforces local rules', async () => {
      freshNet();
      const m = await net.add('solo');
      const s = net.service(m);
      (net as { chain: unknown }).chain = undefined;
      await s.start();
      await expect(s.propose({ rules: [RULE] })).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_NO_FEDERATION' }),
      );
      await s.setLocal({ rules: [RULE] });
      expect(s.evaluate('decision', BIO)).toMatchObject({ allowed: false, policyVersion: null });
    });
  });
});
