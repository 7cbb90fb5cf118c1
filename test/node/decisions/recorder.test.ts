/**
 * DecisionRecorder with a recording log (pure logic: the HTTP route and a real log are covered by
 * test/node/api/routes/decisions-post.test.ts and policy.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { type DecisionPolicy, DecisionRecorder } from '../../../node/decisions/index.ts';
import type { AppendItem } from '../../../node/log/index.ts';
import { CheckedDecision } from '../../../protocol/audit/decision.ts';
import { decodeLeaf } from '../../../protocol/audit/leaf.ts';
import { isGovfedError } from '../../../protocol/errors.ts';
import type { Verdict } from '../../../protocol/policy/index.ts';

function setUp(policy?: DecisionPolicy) {
  const appended: AppendItem[] = [];
  const recorded: number[] = [];
  let counter = 0;
  const recorder = new DecisionRecorder({
    log: {
      append: async (items) => {
        const start = appended.length;
        appended.push(...items);
        return items.map((_, i) => ({ index: start + i, leafHash: new Uint8Array(32).fill(start + i) }));
      },
    },
    policy,
    now: () => new Date('2025-01-01T00:00:00Z'),
    random: (n) => new Uint8Array(n).fill(counter++ & 0xff),
    onRecorded: (n) => recorded.push(n),
  });
  return { recorder, appended, recorded };
}

/** A policy that denies model "bad" (a global and a local rule) and records what it was given. */
function denyBad(seen: unknown[]): DecisionPolicy {
  return {
    evaluate: (_hook, input): Verdict => {
      seen.push(input);
      const bad = (input as { model: string }).model === 'bad';
      return {
        allowed: !bad,
        deny: bad
          ? [
              { rule: 'r1', message: 'no', scope: 'global' },
              { rule: 'l1', message: 'mine', scope: 'local' },
            ]
          : [],
        warn: [],
        policyVersion: 7,
      };
    },
  };
}

describe('DecisionRecorder.record', () => {
  describe('without a policy', () => {
    it('seals and appends every record once, with no verdict', async () => {
      const { recorder, appended, recorded } = setUp();
      const out = await recorder.record([
        { input: { model: 'm', output: 'yes' }, where: 'body/0' },
        { input: { model: 'n', output: { a: 1 } }, where: 'body/1' },
      ]);
      expect(out.map((r) => [r.index, r.verdict])).toEqual([
        [0, undefined],
        [1, undefined],
      ]);
      expect(appended.map((a) => decodeLeaf(a.leaf))).toMatchObject([
        { type: 'decision', model: 'm', outcome: 'yes' },
        { type: 'decision', model: 'n', outcome: 'structured' },
      ]);
      expect(recorded).toEqual([2]);
    });
  });

  describe('with a policy', () => {
    it('evaluates the checked decision (not the raw input) and records each verdict in its leaf', async () => {
      const seen: unknown[] = [];
      const { recorder, appended } = setUp(denyBad(seen));
      const out = await recorder.record([
        { input: { model: 'good', output: 1 }, where: 'body/0' },
        { input: { model: 'bad', output: 1 }, where: 'body/1' },
      ]);
      expect(seen.every((x) => x instanceof CheckedDecision)).toBe(true);
      expect(out.map((r) => r.verdict?.allowed)).toEqual([true, false]);
      expect(appended.map((a) => decodeLeaf(a.leaf))).toMatchObject([
        { policyVersion: 7, verdict: 'allowed' },
        { policyVersion: 7, verdict: 'denied', deny: ['r1', 'local:l1'] },
      ]);
    });
  });

  describe('when one record is invalid', () => {
    it('throws its typed error, named by where, before any record is evaluated, and appends nothing', async () => {
      const seen: unknown[] = [];
      const { recorder, appended, recorded } = setUp(denyBad(seen));
      const err = await recorder
        .record([
          { input: { model: 'good', output: 1 }, where: 'body/0' },
          { input: { model: 'good', output: 1, decisionId: '' }, where: 'body/1' },
          { input: { model: 'good', output: 1 }, where: 'body/2' },
        ])
        .catch((e: unknown) => e);
      expect(isGovfedError(err, 'ERR_INVALID_RECORD')).toBe(true);
      expect((err as Error).message).toMatch(/^body\/1: decisionId/);
      expect(seen).toHaveLength(0); // every record is checked before any is evaluated
      expect(appended).toEqual([]);
      expect(recorded).toEqual([]);
    });
  });

  describe('when one record is over 64 KiB', () => {
    it('refuses before anything is checked or evaluated (ERR_RECORD_TOO_LARGE)', async () => {
      const seen: unknown[] = [];
      const { recorder, appended } = setUp(denyBad(seen));
      const err = await recorder
        .record([
          { input: { model: 'good', output: 1 }, where: 'body/0' },
          { input: { model: 'good', output: 'x'.repeat(70_000) }, where: 'body/1' },
        ])
        .catch((e: unknown) => e);
      expect(isGovfedError(err, 'ERR_RECORD_TOO_LARGE')).toBe(true);
      expect(seen).toEqual([]);
      expect(appended).toEqual([]);
    });
  });
});
