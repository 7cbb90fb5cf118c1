/**
 * The ingest workers against the single-threaded path: for the same requests, the same leaves, records,
 * index facts, verdicts and replies — or the same typed error — with a policy (global and local rules),
 * models from a registry (a contract, a suspended version, unknown ones) and a deterministic random
 * stream handed to both.
 */
import fc from 'fast-check';
import fastJson from 'fast-json-stringify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerOf, replySchema } from '../../../node/api/routes/decisions-post.ts';
import { parseDecisionsBody } from '../../../node/decisions/body.ts';
import { IngestPool, type IngestPoolOptions } from '../../../node/decisions/pool.ts';
import { DecisionRecorder } from '../../../node/decisions/recorder.ts';
import { fastLeafHash } from '../../../node/log/hasher.ts';
import type { Appended, AppendItem, DecisionIndexFacts } from '../../../node/log/index.ts';
import { decisionLookupKeys, keysAt } from '../../../node/log/lookup.ts';
import { PolicyEnforcer } from '../../../node/policy/enforcement.ts';
import type { EnforcedRules } from '../../../node/policy/service.ts';
import { checkStrictJson } from '../../../protocol/encoding/strict-json.ts';
import type { ObservationRun } from '../../../protocol/monitoring/observe.ts';
import { LOCAL_POLICY_TYPE, nodeValue } from '../../../protocol/policy/index.ts';
import { bundle, rule, T0 } from '../../protocol/policy/fixtures.ts';
import { resolve } from './pool-models.ts';

const NOW = new Date('2025-06-01T12:00:00Z');
const RULES: EnforcedRules = {
  baseline: bundle(3, null, {
    rules: [
      rule('decision.output.score > 0.5', { id: 'high-score' }),
      rule("'pii' in decision.dataClasses", { id: 'no-pii' }),
      rule("decision.model == 'm3@1'", { id: 'warned', effect: 'warn' }),
    ],
  }),
  local: {
    type: LOCAL_POLICY_TYPE,
    version: 1,
    updatedAt: T0,
    rules: [rule("decision.jurisdiction == 'US'", { id: 'no-us' })],
  },
};

function strictJson(text: string): boolean {
  try {
    checkStrictJson(text);
    return true;
  } catch {
    return false;
  }
}

/** A deterministic "CSPRNG": consecutive bytes of one stream, however they are asked for. */
function stream(): (n: number) => Uint8Array {
  let c = 0;
  return (n) => Uint8Array.from({ length: n }, () => (c++ * 131 + 7) & 0xff);
}

interface Entry {
  index: number;
  allowed?: boolean;
  deny?: { rule: string }[];
  policyVersion?: number | null;
  flags?: string[];
}

/** A log that keeps what it is given; each item as the appender would store it: its hash and index keys. */
function capture(): { log: { append(items: readonly AppendItem[]): Promise<Appended[]> }; items: unknown[] } {
  const items: unknown[] = [];
  return {
    items,
    log: {
      append: async (batch) => {
        const out = batch.map((it, i) => {
          const index = items.length + i;
          const lh = fastLeafHash(it.leaf);
          if (it.leafHash !== undefined) expect(Array.from(it.leafHash)).toEqual(Array.from(lh));
          const keys =
            it.keys !== undefined
              ? keysAt(it.keys, index)
              : decisionLookupKeys(it.decision as DecisionIndexFacts, lh, index);
          return {
            index,
            leafHash: lh,
            stored: { leaf: Array.from(it.leaf), record: Array.from(it.record ?? []), keys },
          };
        });
        for (const o of out) items.push(o.stored);
        return out.map(({ index, leafHash }) => ({ index, leafHash }));
      },
    },
  };
}

const stringify = fastJson(structuredClone(replySchema) as unknown as Parameters<typeof fastJson>[0]);

const record = fc.record(
  {
    model: fc.constantFrom('m1@1', 'm2@1', 'm3@1', 'plain-model', 'acme/m1@1', 'bidi\u202emodel'),
    output: fc.oneof(
      fc.record({ score: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.constantFrom('approve', 'deny'),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    decisionId: fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/),
    timestamp: fc.constantFrom('2025-05-31T23:59:59Z', '2025-06-01T00:00:00.123Z'),
    jurisdiction: fc.constantFrom('DE', 'US', 'FR'),
    dataClasses: fc.subarray(['pii', 'financial', 'health']),
    context: fc.record({ purpose: fc.constantFrom('credit', 'ads') }, { requiredKeys: [] }),
  },
  { requiredKeys: ['model', 'output'] },
);
const body = fc.oneof(fc.array(record, { minLength: 1, maxLength: 8 }), record);

type Outcome =
  | { ok: true; items: unknown[]; answer: string; observed: ObservationRun[] }
  | { ok: false; code: string; message: string };

async function outcome(
  run: () => Promise<{ answer: string; items: unknown[]; observed: ObservationRun[] }>,
): Promise<Outcome> {
  try {
    const { answer, items, observed } = await run();
    return { ok: true, items, answer, observed };
  } catch (err) {
    const e = err as { code?: string; message: string };
    return { ok: false, code: e.code ?? 'none', message: e.message };
  }
}

/** A started one-worker pool of org acme (DE) at NOW with a fresh random stream; `over` replaces any option. */
function onePool(over: Partial<IngestPoolOptions> & Pick<IngestPoolOptions, 'log'>): IngestPool {
  const p = new IngestPool({ workers: 1, org: 'acme', jurisdiction: 'DE', now: () => NOW, random: stream(), ...over });
  p.start();
  return p;
}

describe('IngestPool', () => {
  let pool: IngestPool;
  let poolLog: ReturnType<typeof capture>;
  const counted = { allowed: 0, denied: 0 };
  let poolRandom = stream();
  const poolObserved: ObservationRun[] = [];

  beforeAll(async () => {
    poolLog = capture();
    pool = new IngestPool({
      workers: 2,
      org: 'acme',
      jurisdiction: 'DE',
      log: poolLog.log,
      policy: {
        enforced: RULES,
        onRulesChanged: () => {},
        countEvaluations: (a, d) => {
          counted.allowed += a;
          counted.denied += d;
        },
      },
      models: { resolve },
      revocationAgeMs: () => 90_000,
      now: () => NOW,
      random: (n) => poolRandom(n),
      onObserved: (o) => poolObserved.push(...o),
    });
    pool.start();
  });
  afterAll(async () => {
    await pool.stop();
  });

  describe('when given the same requests as the single-threaded recorder', () => {
    it('seals the same leaves and records, in request order, with the same verdicts — or fails alike', async () => {
      await fc.assert(
        fc.asyncProperty(body, async (b) => {
          const single = capture();
          const enforcer = new PolicyEnforcer({ node: nodeValue({ org: 'acme', jurisdiction: 'DE' }), now: () => NOW });
          enforcer.swap(RULES.baseline, RULES.local);
          const observed: ObservationRun[] = [];
          const recorder = new DecisionRecorder({
            log: single.log,
            policy: enforcer,
            models: { resolve },
            jurisdiction: 'DE',
            org: 'acme',
            revocationAgeMs: () => 90_000,
            now: () => NOW,
            random: stream(),
            onObserved: (o) => observed.push(...o),
          });
          const text = JSON.stringify(b);
          fc.pre(strictJson(text)); // what the HTTP layer refuses (an inexact number) never reaches either path
          // The main-thread route's body as fastify parses and validates it (parseDecisionsBody: the same
          // parser options and schema; a `__proto__` key is refused there, as on the workers).
          const expected = await outcome(async () => ({
            answer: stringify(answerOf(await recorder.record(parseDecisionsBody(new TextEncoder().encode(text))))),
            items: single.items,
            observed,
          }));
          poolRandom = stream();
          poolLog.items.length = 0;
          poolObserved.length = 0;
          const got = await outcome(async () => ({
            answer: (await pool.record(new TextEncoder().encode(text))).json,
            items: poolLog.items,
            observed: poolObserved,
          }));
          expect(got).toEqual(expected);
        }),
        { numRuns: 200 },
      );
    });

    it('denies by the contract, the kill switch and both rule sets, and counts every verdict', async () => {
      counted.allowed = 0;
      counted.denied = 0;
      poolRandom = stream();
      poolObserved.length = 0;
      const answer = await pool.record(
        new TextEncoder().encode(
          JSON.stringify([
            { model: 'm1@1', output: { score: 0.1 }, jurisdiction: 'DE', context: { purpose: 'credit' } },
            { model: 'm1@1', output: { score: 0.9 }, jurisdiction: 'US', context: { purpose: 'ads' } },
            { model: 'm2@1', output: 'approve', dataClasses: ['pii'] },
          ]),
        ),
      );
      const replies = (JSON.parse(answer.json) as { entries: Entry[] }).entries;
      expect(answer.count).toBe(3);
      const rules = replies.map((r) => r.deny?.map((f) => f.rule).sort());
      // m1@1 under its contract: allowed for DE/credit; the second is denied by both rule sets and the
      // contract; the third by the kill switch and the global rules. The node's kill-switch state is
      // 90 s old, over the contract's 60 s: high tier fails closed (revocations.stale).
      expect(rules[0]).toEqual(['revocations.stale']);
      expect(rules[1]).toEqual([
        'contract.jurisdiction',
        'contract.purpose',
        'high-score',
        'no-us',
        'revocations.stale',
      ]);
      // (high-score cannot evaluate on a string output: a rule that errors fires — fail closed.)
      expect(rules[2]).toEqual(['high-score', 'no-pii', 'suspended']);
      expect(replies[2]?.flags).toEqual(['shadow']);
      // govfed_policy_evaluations_total counts the policy's verdicts: the first one's rules allowed it.
      expect(counted).toEqual({ allowed: 1, denied: 2 });
      // What m1@1's decisions give its monitors (m2@1's contract requires none): the score, the purpose
      // with the positive outcome (score > 0.5), denied, denied by the contract, shadow AI.
      // One run: the two decisions' entries end to end.
      expect(poolObserved).toEqual([
        {
          model: 'acme/m@1',
          contract: 'c1',
          shadow: false,
          width: 5,
          values: [0.1, '0credit', 1, 0, 0, 0.9, '1ads', 1, 1, 0],
        },
      ]);
    });
  });

  describe('when the enforced rules change', () => {
    it('seals every later request under the new rules', async () => {
      let notify: (r: EnforcedRules) => void = () => {};
      const log = capture();
      const p = onePool({
        log: log.log,
        policy: {
          enforced: { baseline: undefined, local: undefined },
          onRulesChanged: (fn) => (notify = fn),
          countEvaluations: () => {},
        },
      });
      try {
        const req = async () =>
          (
            JSON.parse(
              (
                await p.record(
                  new TextEncoder().encode(JSON.stringify({ model: 'x', output: 1, dataClasses: ['pii'] })),
                )
              ).json,
            ) as { entries: Entry[] }
          ).entries;
        expect((await req())[0]).toMatchObject({ allowed: true, policyVersion: null });
        notify(RULES);
        expect((await req())[0]).toMatchObject({ allowed: false, policyVersion: 3 });
      } finally {
        await p.stop();
      }
    });
  });

  describe('when a worker dies', () => {
    it('fails the requests it held with ERR_INGEST_UNAVAILABLE and answers the next ones from a new worker', async () => {
      const log = capture();
      const p = onePool({ log: log.log });
      try {
        expect(p.workers).toBe(0); // started with the first request
        await p.warm();
        expect(p.workers).toBe(1);
        const big = new TextEncoder().encode(
          JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ model: 'x', output: i }))),
        );
        const held = p.record(big);
        await p.threads[0]?.terminate(); // as if the thread had crashed
        await expect(held).rejects.toMatchObject({ code: 'ERR_INGEST_UNAVAILABLE' });
        expect(log.items).toHaveLength(0);
        await expect.poll(() => p.workers, { timeout: 5000 }).toBe(1);
        const ok = await p.record(new TextEncoder().encode(JSON.stringify({ model: 'x', output: 1 })));
        expect(ok.count).toBe(1);
      } finally {
        await p.stop();
      }
    });
  });

  describe('when more request bytes are held than maxHeldBytes', () => {
    it('refuses the next request with ERR_BACKPRESSURE, appends nothing of it, and takes requests again after', async () => {
      const waiting: (() => void)[] = [];
      const appended: number[] = [];
      const p = onePool({
        log: {
          append: async (items) => {
            await new Promise<void>((r) => waiting.push(r));
            appended.push(items.length);
            return items.map((_, i) => ({ index: i, leafHash: new Uint8Array(32) }));
          },
        },
        maxHeldBytes: 1000,
      });
      try {
        const body = (n: number) =>
          new TextEncoder().encode(JSON.stringify(Array.from({ length: n }, (_, i) => ({ model: 'x', output: i }))));
        const first = p.record(body(20)); // ~600 bytes: held until its append resolves
        await expect(p.record(body(20))).rejects.toMatchObject({ code: 'ERR_BACKPRESSURE' });
        await expect.poll(() => waiting.length).toBe(1);
        waiting.shift()?.();
        expect((await first).count).toBe(20);
        const second = p.record(body(20));
        await expect.poll(() => waiting.length).toBe(1);
        waiting.shift()?.();
        expect((await second).count).toBe(20);
        expect(appended).toEqual([20, 20]);
      } finally {
        await p.stop();
      }
    });
  });

  describe('when stopped', () => {
    it('refuses with ERR_SHUTTING_DOWN', async () => {
      const p = onePool({ log: capture().log });
      await p.stop();
      await expect(p.record(new TextEncoder().encode('{"model":"x","output":1}'))).rejects.toMatchObject({
        code: 'ERR_SHUTTING_DOWN',
      });
    });
  });
});
