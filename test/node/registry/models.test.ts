/**
 * ModelRegistry's gossip handlers (node/registry/models.ts) judging records a member sends — attacker-
 * controlled: the sender is a member, not necessarily honest. The real module and store (a temp home),
 * a recording log and in-memory rosters; no libp2p (test/integration/registry-models.test.ts runs the
 * same paths between real daemons).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FederationContext } from '../../../node/federation/module.ts';
import { ModelRegistry } from '../../../node/registry/models.ts';
import { policyRiskCheck } from '../../../node/registry/risk-check.ts';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import { keyIdOf } from '../../../protocol/dsse/index.ts';
import type { CharterChain, GossipMessage } from '../../../protocol/federation/index.ts';
import {
  type ApprovalPredicate,
  NO_POLICY_DIGEST,
  type Roster,
  signApproval,
  signRegistration,
} from '../../../protocol/registry/index.ts';
import { testRoster } from '../../helpers/rosters.ts';

const FED = 'ab'.repeat(32);
const seed = (i: number) => Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j * 11 + 3) & 0xff);
const pub = (i: number) => keyPairFromSeed(seed(i)).publicKey;
const signer = (i: number) => ({ keyid: keyIdOf(pub(i)), seed: seed(i) });
const DIGEST = `sha256:${'cd'.repeat(32)}`;

function roster(org: string, people: [string, string, number][]): Roster {
  return testRoster(
    FED,
    org,
    people.map(([n, r, k]) => [n, r, pub(k)] as [string, string, Uint8Array]),
  );
}

const ROSTERS = new Map([
  [
    'eu',
    roster('eu', [
      ['sam', 'model_owner', 1],
      ['ana', 'risk_officer', 2],
    ]),
  ],
  ['us', roster('us', [['lee', 'legal', 3]])],
]);
const chain = {
  federationId: FED,
  current: {
    members: [
      { org: 'eu', peerId: 'p-eu' },
      { org: 'us', peerId: 'p-us' },
    ],
    approvals: { low: { roles: ['risk_officer', 'legal'], orgs: 2 } },
  },
} as unknown as CharterChain;

function registration(by = signer(1), over: Record<string, unknown> = {}) {
  return signRegistration(
    DIGEST,
    {
      federation: FED,
      model: { org: 'eu', name: 'fraud', version: '1.0.0' },
      assurance: 'opaque',
      external: { provider: 'acme', model: 'fraud', snapshot: '1' },
      risk: { score: 0, tier: 'low', hits: [], policyVersion: 0, policyDigest: NO_POLICY_DIGEST },
      submitter: { name: 'sam', role: 'model_owner' },
      registeredAt: new Date().toISOString(),
      ...over,
    },
    by,
  );
}

function approval(
  who: [string, string, string],
  by: { keyid: string; seed: Uint8Array },
  over: Partial<ApprovalPredicate> = {},
) {
  const now = Date.now();
  return signApproval(
    DIGEST,
    {
      federation: FED,
      model: { org: 'eu', name: 'fraud', version: '1.0.0' },
      approver: { org: who[0], name: who[1], role: who[2] },
      decision: 'approve',
      issuedAt: new Date(now - 1000).toISOString(),
      expiresAt: new Date(now + 86_400_000).toISOString(),
      ...over,
    },
    by,
  );
}

const msg = (type: string, envelope: unknown) => ({ type, body: { envelope } }) as unknown as GossipMessage;
const codeOf = (v: { result: string; error?: unknown }) => (v.error as { code?: string } | undefined)?.code;

let dir: string;
let reg: ModelRegistry;
let logged: number;
/** Waits (up to 5 s) until `fn` holds: the module stores what it took after the verdict. */
async function until(fn: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !fn(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(fn()).toBe(true);
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'govfed-models-'));
  logged = 0;
  reg = new ModelRegistry({
    home: { dir, config: { org: 'us', jurisdiction: 'US' } },
    log: {
      append: async (items) => items.map(() => ({ index: logged++, leafHash: new Uint8Array(32) })),
      lookupLeafHash: async () => undefined,
    },
    events: () => {},
    rosters: { roster: (org: string) => ROSTERS.get(org), generation: 1 },
    risk: policyRiskCheck({
      policy: { baselineAt: () => undefined, head: () => ({ version: 0, digest: null }) },
      jurisdictionOf: () => 'EU',
      self: { org: 'us', jurisdiction: 'US' },
    }),
  });
  reg.attach({ chain: () => chain, publish: async () => {}, events: () => {} } as unknown as FederationContext);
  await reg.start();
  reg.onCharter(chain);
});

afterEach(async () => {
  await reg.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('ModelRegistry gossip', () => {
  describe('when a member gossips a valid registration, then the same again', () => {
    it('accepts and logs it once; the repeat is ignored', async () => {
      const env = registration();
      expect(reg.gossip.model?.(msg('model', env), 'p-eu')).toEqual({ result: 'accept' });
      await until(() => reg.book.size === 1);
      expect(reg.book.get('eu', 'fraud', '1.0.0')?.digest).toBe(DIGEST);
      expect(reg.gossip.model?.(msg('model', env), 'p-eu').result).toBe('ignore');
      expect(logged).toBe(1);
    });
  });

  describe('when a registration is forged in a roster member’s name, or signed by someone on no roster', () => {
    it('is rejected (ERR_BAD_SIGNATURE, ERR_NOT_IN_ROSTER) and nothing is held or logged', () => {
      const forged = registration({ keyid: keyIdOf(pub(1)), seed: seed(9) });
      expect(codeOf(reg.gossip.model?.(msg('model', forged), 'p-eu') ?? { result: '' })).toBe('ERR_BAD_SIGNATURE');
      const stranger = registration(signer(9));
      expect(codeOf(reg.gossip.model?.(msg('model', stranger), 'p-eu') ?? { result: '' })).toBe('ERR_NOT_IN_ROSTER');
      const lowered = registration(signer(1), {
        risk: { score: 0, tier: 'low', hits: [], policyVersion: 0, policyDigest: `sha256:${'11'.repeat(32)}` },
      });
      expect(codeOf(reg.gossip.model?.(msg('model', lowered), 'p-eu') ?? { result: '' })).toBe(
        'ERR_REGISTRATION_MISMATCH',
      );
      expect(reg.book.size).toBe(0);
      expect(logged).toBe(0);
    });
  });

  describe('when approvals arrive by gossip', () => {
    it('takes one that arrives before its registration once that comes; rejects the submitter’s, a stranger’s and an expired one', async () => {
      const early = approval(['us', 'lee', 'legal'], signer(3));
      expect(reg.gossip.approval?.(msg('approval', early), 'p-us').result).toBe('ignore'); // waits
      expect(reg.gossip.model?.(msg('model', registration()), 'p-eu').result).toBe('accept');
      await until(() => reg.book.get('eu', 'fraud', '1.0.0')?.approvals.size === 1);
      const held = reg.book.get('eu', 'fraud', '1.0.0');
      expect(held?.approvals.size).toBe(1);
      const self = approval(['eu', 'sam', 'model_owner'], signer(1));
      expect(codeOf(reg.gossip.approval?.(msg('approval', self), 'p-eu') ?? { result: '' })).toBe('ERR_SELF_APPROVAL');
      const stranger = approval(['us', 'lee', 'legal'], { keyid: keyIdOf(pub(8)), seed: seed(8) });
      expect(codeOf(reg.gossip.approval?.(msg('approval', stranger), 'p-us') ?? { result: '' })).toBe(
        'ERR_NOT_IN_ROSTER',
      );
      const expired = approval(['eu', 'ana', 'risk_officer'], signer(2), {
        issuedAt: '2026-01-01T00:00:00Z',
        expiresAt: '2026-01-02T00:00:00Z',
      });
      expect(codeOf(reg.gossip.approval?.(msg('approval', expired), 'p-eu') ?? { result: '' })).toBe(
        'ERR_APPROVAL_EXPIRED',
      );
      expect(reg.gossip.approval?.(msg('approval', early), 'p-us').result).toBe('ignore'); // a replay: held already
      expect(held?.approvals.size).toBe(1);
      expect(reg.book.view(held as NonNullable<typeof held>).status).toBe('pending');
    });
  });

  describe('when a body is not {envelope}', () => {
    it('is rejected as malformed', () => {
      const bad = { type: 'model', body: { envelope: registration(), extra: 1 } } as unknown as GossipMessage;
      expect(codeOf(reg.gossip.model?.(bad, 'p-eu') ?? { result: '' })).toBe('ERR_MALFORMED_GOSSIP');
    });
  });

  describe('when the node restarts', () => {
    it('judges its stored records again and holds them', async () => {
      reg.gossip.model?.(msg('model', registration()), 'p-eu');
      await until(() => reg.book.size === 1);
      reg.gossip.approval?.(msg('approval', approval(['us', 'lee', 'legal'], signer(3))), 'p-us');
      await until(() => reg.book.get('eu', 'fraud', '1.0.0')?.approvals.size === 1);
      await reg.stop();
      const again = new ModelRegistry({
        home: { dir, config: { org: 'us', jurisdiction: 'US' } },
        log: { append: async () => [], lookupLeafHash: async () => 7 },
        events: () => {},
        rosters: { roster: (org: string) => ROSTERS.get(org), generation: 1 },
        risk: policyRiskCheck({
          policy: { baselineAt: () => undefined, head: () => ({ version: 0, digest: null }) },
          jurisdictionOf: () => 'EU',
          self: { org: 'us', jurisdiction: 'US' },
        }),
      });
      again.attach({ chain: () => chain, publish: async () => {}, events: () => {} } as unknown as FederationContext);
      await again.start();
      again.onCharter(chain);
      await until(() => again.book.get('eu', 'fraud', '1.0.0')?.approvals.size === 1);
      const held = again.book.get('eu', 'fraud', '1.0.0');
      expect(held?.approvals.size).toBe(1);
      expect(held?.logIndex).toBe(7); // found in the log, not appended again
      await again.stop();
    });
  });
});
