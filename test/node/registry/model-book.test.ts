/**
 * ModelBook (node/registry/model-book.ts): the status every node computes from the signed records —
 * votes count only while their signer is on the approver org's current roster with the role and until
 * they expire (the cached view follows both) — and how a decision's model reference resolves.
 */
import { describe, expect, it } from 'vitest';
import { ModelBook } from '../../../node/registry/model-book.ts';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import { keyIdOf } from '../../../protocol/dsse/index.ts';
import {
  type ApprovalPredicate,
  type Roster,
  registrationId,
  signApproval,
  signRegistration,
  verifyApproval,
  verifyRegistration,
} from '../../../protocol/registry/index.ts';
import { testRoster } from '../../helpers/rosters.ts';

const FED = 'ab'.repeat(32);
const seed = (i: number) => Uint8Array.from({ length: 32 }, (_, j) => (i * 29 + j * 7 + 1) & 0xff);
const pub = (i: number) => keyPairFromSeed(seed(i)).publicKey;
const signer = (i: number) => ({ keyid: keyIdOf(pub(i)), seed: seed(i) });
const T0 = Date.parse('2026-06-01T00:00:00Z');

function roster(org: string, people: [string, string, number][], revoked: [string, string, number][] = []): Roster {
  const keyed = (xs: [string, string, number][]) =>
    xs.map(([n, r, k]) => [n, r, pub(k)] as [string, string, Uint8Array]);
  return testRoster(FED, org, keyed(people), keyed(revoked));
}

class Rosters {
  generation = 0;
  held = new Map<string, Roster>();
  set(r: Roster) {
    this.held.set(r.org, r);
    this.generation++;
  }
  roster(org: string) {
    return this.held.get(org);
  }
}

function setup(rule: { roles: string[]; orgs: number } | null = { roles: ['risk_officer', 'legal'], orgs: 2 }) {
  const rosters = new Rosters();
  rosters.set(
    roster('eu', [
      ['sam', 'model_owner', 1],
      ['ana', 'risk_officer', 2],
    ]),
  );
  rosters.set(roster('us', [['lee', 'legal', 3]]));
  let now = T0;
  const book = new ModelBook({
    rosters,
    now: () => now,
    kill: () => ({ threshold: 2, suspensionTtlMs: 86_400_000 }),
    rules: () => (rule === null ? undefined : { low: rule }),
  });
  const person = (org: string, keyid: string) => {
    const p = rosters.roster(org)?.people.find((x) => keyIdOf(Buffer.from(x.publicKey, 'base64')) === keyid);
    return p === undefined ? undefined : { name: p.name, role: p.role, publicKey: Buffer.from(p.publicKey, 'base64') };
  };
  const register = (org: string, name: string, version: string, digestByte = 'cd') => {
    const digest = `sha256:${digestByte.repeat(32)}`;
    const env = signRegistration(
      digest,
      {
        federation: FED,
        model: { org, name, version },
        assurance: 'opaque',
        external: { provider: 'acme', model: name, snapshot: version },
        risk: { score: 0, tier: 'low', hits: [], policyVersion: 0, policyDigest: `sha256:${'00'.repeat(32)}` },
        submitter: { name: 'sam', role: 'model_owner' },
        registeredAt: '2026-05-31T00:00:00Z',
      },
      signer(1),
    );
    const v = verifyRegistration(env, { federation: FED, person: (o, k) => person(org === o ? 'eu' : o, k) });
    return book.addRegistration(registrationId(env), env, v, 1);
  };
  const vote = (
    held: ReturnType<typeof register>,
    who: [string, string, string, number],
    over: Partial<ApprovalPredicate> = {},
  ) => {
    const [org, name, role, k] = who;
    const p: ApprovalPredicate = {
      federation: FED,
      model: { org: held.model.org, name: held.model.name, version: held.model.version },
      approver: { org, name, role },
      decision: 'approve',
      issuedAt: '2026-05-31T12:00:00Z',
      expiresAt: '2026-06-10T00:00:00Z',
      ...over,
    };
    const env = signApproval(held.digest, p, signer(k));
    const a = verifyApproval(env, {
      federation: FED,
      model: { ...held.model, digest: held.digest },
      submitterKey: pub(1),
      person,
      now: now,
    });
    book.addApproval(held, env, a, 2);
  };
  return { book, rosters, register, vote, setNow: (t: number) => (now = t) };
}

describe('ModelBook.view', () => {
  describe('when risk_officer (eu) and legal (us) approve', () => {
    it('is pending after one vote and approved after both', () => {
      const { book, register, vote } = setup();
      const m = register('eu', 'fraud', '1.0.0');
      expect(book.view(m).status).toBe('pending');
      vote(m, ['eu', 'ana', 'risk_officer', 2]);
      expect(book.view(m)).toMatchObject({ status: 'pending', approval: { missingRoles: ['legal'] } });
      vote(m, ['us', 'lee', 'legal', 3]);
      expect(book.view(m).status).toBe('approved');
    });
  });

  describe('when an approver is revoked from their roster afterwards', () => {
    it('their vote stops counting (with why), and the status goes back to pending', () => {
      const { book, rosters, register, vote } = setup();
      const m = register('eu', 'fraud', '1.0.0');
      vote(m, ['eu', 'ana', 'risk_officer', 2]);
      vote(m, ['us', 'lee', 'legal', 3]);
      expect(book.view(m).status).toBe('approved');
      rosters.set(roster('us', [], [['lee', 'legal', 3]]));
      const v = book.view(m);
      expect(v.status).toBe('pending');
      expect(v.votes.find((x) => x.approval.predicate.approver.name === 'lee')).toMatchObject({
        counts: false,
        why: "lee is no longer on us's roster",
      });
    });
  });

  describe('when a counted vote expires', () => {
    it('the cached view is computed again and the vote no longer counts', () => {
      const { book, register, vote, setNow } = setup();
      const m = register('eu', 'fraud', '1.0.0');
      vote(m, ['eu', 'ana', 'risk_officer', 2]);
      vote(m, ['us', 'lee', 'legal', 3], { expiresAt: '2026-06-02T00:00:00Z' });
      expect(book.view(m).status).toBe('approved');
      setNow(Date.parse('2026-06-02T00:00:01Z'));
      expect(book.view(m)).toMatchObject({ status: 'pending', approval: { missingRoles: ['legal'] } });
    });
  });

  describe('when a listed role rejects', () => {
    it('is rejected', () => {
      const { book, register, vote } = setup();
      const m = register('eu', 'fraud', '1.0.0');
      vote(m, ['us', 'lee', 'legal', 3], { decision: 'reject', reason: 'no bias evaluation' });
      expect(book.view(m).status).toBe('rejected');
    });
  });

  describe('when the tier has no rule', () => {
    it('is approved without votes', () => {
      const { book, register } = setup(null);
      expect(book.view(register('eu', 'fraud', '1.0.0')).status).toBe('approved');
    });
  });
});

describe('ModelBook.resolve', () => {
  describe('when a decision names NAME@VERSION, ORG/NAME@VERSION, or something else', () => {
    it('prefers the own org, then the one org that registered it; ambiguous and malformed are unknown', () => {
      const { book, register } = setup();
      register('eu', 'fraud', '1.0.0', 'e1');
      expect(book.resolve('fraud@1.0.0', 'us')).toMatchObject({
        known: true,
        org: 'eu',
        digest: `sha256:${'e1'.repeat(32)}`,
        status: 'pending',
        tier: 'low',
      });
      register('us', 'fraud', '1.0.0', 'a2');
      expect(book.resolve('fraud@1.0.0', 'us')).toMatchObject({ known: true, org: 'us' });
      expect(book.resolve('fraud@1.0.0', 'jp')).toMatchObject({
        known: false,
        status: 'unknown',
        name: 'fraud',
        version: '1.0.0',
      });
      expect(book.resolve('eu/fraud@1.0.0', 'jp')).toMatchObject({ known: true, org: 'eu' });
      expect(book.resolve('fraud@2.0.0', 'eu')).toMatchObject({ known: false });
      expect(book.resolve('a plain string', 'eu')).toMatchObject({
        known: false,
        status: 'unknown',
        name: 'a plain string',
        version: '',
      });
    });
  });
});
