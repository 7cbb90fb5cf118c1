/**
 * The console's in-browser checks of signed state (console/logic/signatures.ts) on real signed charters
 * and receipts (deterministic keys: test/protocol/federation/fixtures.ts): what verifies, and each way a
 * node could lie failing at its step with the protocol's code.
 */
import { describe, expect, it } from 'vitest';
import type { ConsoleApi } from '../../../console/logic/api.ts';
import {
  checkReceipts,
  type MemberRow,
  receiptSteps,
  type ServedCharter,
  verifyCharterChain,
  verifyMemberReceipt,
} from '../../../console/logic/signatures.ts';
import { fromBase64, toBase64 } from '../../../protocol/encoding/bytes.ts';
import { CharterChain } from '../../../protocol/federation/chain.ts';
import { addMembers, type Charter, nextCharter } from '../../../protocol/federation/charter.ts';
import { type Envelope, signAsPeer } from '../../../protocol/federation/envelope.ts';
import {
  encodeReceipt,
  type PolicyReceipt,
  RECEIPT_PAYLOAD_TYPE,
  signReceipt,
} from '../../../protocol/policy/receipt.ts';
import { makeGenesis, member, peer, seed, signedBy, T0 } from '../../protocol/federation/fixtures.ts';

// eu founds; us is admitted (signed by eu and us); apac is admitted (eu, apac).
const g = makeGenesis([0]);
const chain = new CharterChain(signedBy(g, [0]));
const v2 = addMembers(g, [member(1)], T0);
chain.accept(signedBy(v2, [0, 1]));
const v3 = addMembers(v2, [member(2)], T0);
chain.accept(signedBy(v3, [0, 2]));
const SERVED: ServedCharter[] = chain
  .versions()
  .map((e) => ({ version: e.version, digest: e.digest, envelope: e.envelope }));
const FED = chain.federationId;
const HEAD = { version: 3, digest: chain.head.digest };

const flipSig = (env: Envelope): Envelope => {
  const [first, ...rest] = env.signatures;
  const b = fromBase64((first as { sig: string }).sig);
  b[3] = (b[3] as number) ^ 1;
  return { ...env, signatures: [{ ...(first as Envelope['signatures'][number]), sig: toBase64(b) }, ...rest] };
};

describe('verifyCharterChain', () => {
  describe('when every version is signed as the charter requires', () => {
    it('passes each version, naming its rule and its signers by org, and returns the newest charter', () => {
      const out = verifyCharterChain(SERVED, FED, true, HEAD);
      expect(out.ok).toBe(true);
      expect(out.versions.map((v) => [v.version, v.state, v.rule, v.signers])).toEqual([
        [1, 'passed', 'genesis', ['eu']],
        [2, 'passed', 'admission', expect.arrayContaining(['eu', 'us'])],
        [3, 'passed', 'admission', expect.arrayContaining(['eu', 'apac'])],
      ]);
      expect(out.charter?.members.map((m) => m.org).sort()).toEqual(['apac', 'eu', 'us']);
    });
  });

  describe('when the node lies', () => {
    it('fails the genesis against another pinned federation id (ERR_FEDERATION_MISMATCH)', () => {
      const out = verifyCharterChain(SERVED, '0'.repeat(64), true);
      expect(out.ok).toBe(false);
      expect(out.error?.code).toBe('ERR_FEDERATION_MISMATCH');
      expect(out.versions.map((v) => v.state)).toEqual(['failed', 'not run', 'not run']);
    });

    it('fails the version whose signature was changed (ERR_BAD_SIGNATURE); the later ones do not run', () => {
      const served = SERVED.map((s) => (s.version === 2 ? { ...s, envelope: flipSig(s.envelope) } : s));
      const out = verifyCharterChain(served, FED, false);
      expect(out.versions.map((v) => v.state)).toEqual(['passed', 'failed', 'not run']);
      expect(out.versions[1]?.error?.code).toBe('ERR_BAD_SIGNATURE');
    });

    it('fails a version signed by too few members of the one before (ERR_THRESHOLD_NOT_MET)', () => {
      const v3b = nextCharter(v3, { createdAt: T0, thresholds: { admission: 2, charter: 2 } });
      const v4 = nextCharter(v3b, { createdAt: T0, name: 'renamed' });
      const c = new CharterChain(SERVED[0]?.envelope as Envelope);
      c.accept(SERVED[1]?.envelope as Envelope);
      c.accept(SERVED[2]?.envelope as Envelope);
      c.accept(signedBy(v3b, [0]));
      const served = [
        ...c.versions().map((e) => ({ version: e.version, digest: e.digest, envelope: e.envelope })),
        { version: 5, digest: 'sha256:x', envelope: signedBy(v4, [0]) },
      ];
      const out = verifyCharterChain(served, FED, false);
      expect(out.versions.map((v) => v.state)).toEqual(['passed', 'passed', 'passed', 'passed', 'failed']);
      expect(out.error?.code).toBe('ERR_THRESHOLD_NOT_MET');
    });

    it('fails a listed digest or version that is not what the envelope signs (ERR_CHARTER_MISMATCH)', () => {
      const served = SERVED.map((s) => (s.version === 3 ? { ...s, digest: `sha256:${'0'.repeat(64)}` } : s));
      const out = verifyCharterChain(served, FED, false);
      expect(out.versions[2]?.state).toBe('failed');
      expect(out.error?.code).toBe('ERR_CHARTER_MISMATCH');
    });

    it('fails a chain that does not end at the charter the node’s status names', () => {
      const out = verifyCharterChain(SERVED.slice(0, 2), FED, false, HEAD);
      expect(out.ok).toBe(false);
      expect(out.error?.code).toBe('ERR_CHARTER_MISMATCH');
      expect(out.versions.every((v) => v.state === 'passed')).toBe(true);
    });

    it('fails an empty chain', () => {
      expect(verifyCharterChain([], FED, false).ok).toBe(false);
    });
  });
});

function receipt(i: number, over: Partial<PolicyReceipt> = {}): PolicyReceipt {
  return {
    type: 'govfed.policy-receipt/v1',
    federationId: FED,
    org: member(i).org,
    peerId: peer(i),
    version: 1,
    bundleHash: `sha256:${'ab'.repeat(32)}`,
    logIndex: 7,
    appliedAt: T0,
    ...over,
  };
}
const row = (i: number, env: unknown, over: Partial<MemberRow> = {}): MemberRow => ({
  org: member(i).org,
  peerId: peer(i),
  version: 1,
  bundleHash: `sha256:${'ab'.repeat(32)}`,
  receipt: env,
  ...over,
});
const CHARTER: Charter = chain.current;
const states = (c: ReturnType<typeof verifyMemberReceipt>) => c.steps.map((s) => s.state);

describe('verifyMemberReceipt', () => {
  it('verifies a receipt signed by the member it names, saying what it signs', () => {
    const c = verifyMemberReceipt(row(1, signReceipt(receipt(1), seed(1))), CHARTER, FED);
    expect(c.verdict).toBe('verified');
    expect(c.signed).toEqual({ version: 1, bundleHash: `sha256:${'ab'.repeat(32)}`, logIndex: 7, appliedAt: T0 });
    expect(states(c)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);
  });

  it('says so when a member has no receipt', () => {
    expect(verifyMemberReceipt(row(2, null), CHARTER, FED).verdict).toBe('none');
  });

  describe('when the node lies', () => {
    it.each([
      ['a changed signature', () => flipSig(signReceipt(receipt(1), seed(1))), 'ERR_BAD_SIGNATURE', 'signature'],
      [
        'a receipt of another federation',
        () => signReceipt(receipt(1, { federationId: '0'.repeat(64) }), seed(1)),
        'ERR_FEDERATION_MISMATCH',
        'federation',
      ],
      [
        'us’s receipt signed with eu’s key',
        () => signAsPeer(RECEIPT_PAYLOAD_TYPE, encodeReceipt(receipt(1)), seed(0)),
        'ERR_UNKNOWN_SIGNER',
        'member',
      ],
      ['something that is no envelope', () => ({ payload: 1 }), 'ERR_MALFORMED_ENVELOPE', 'shape'],
    ])('fails %s (%s) at its step', (_, make, code, step) => {
      const c = verifyMemberReceipt(row(1, make()), CHARTER, FED);
      expect(c.verdict).toBe('failed');
      expect(c.error?.code).toBe(code);
      expect(c.steps.find((s) => s.state === 'failed')?.id).toBe(step);
    });

    it('fails a row that shows another version than its receipt signs (ERR_RECEIPT_MISMATCH)', () => {
      const c = verifyMemberReceipt(row(1, signReceipt(receipt(1), seed(1)), { version: 2 }), CHARTER, FED);
      expect(c.error?.code).toBe('ERR_RECEIPT_MISMATCH');
      expect(states(c)).toEqual(['passed', 'passed', 'passed', 'passed', 'failed']);
    });
  });
});

describe('receiptSteps', () => {
  it('marks no step passed for a code of no step (the verdict is still failed)', () => {
    expect(receiptSteps('ERR_SOMETHING_ELSE').every((s) => s.state === 'not run')).toBe(true);
  });
});

describe('checkReceipts', () => {
  /** A node's answers by path (attacker-controlled in the browser; here as a real node would give them). */
  const api = (members: MemberRow[]): Pick<ConsoleApi, 'json'> => ({
    json: async <T>(path: string) => {
      if (path.startsWith('/v1/federation/charters')) return { federationId: FED, version: 3, charters: SERVED } as T;
      if (path === '/v1/federation') return { charterVersion: HEAD.version, charterDigest: HEAD.digest } as T;
      if (path === '/v1/policy/status') return { members } as T;
      throw new Error(`unexpected ${path}`);
    },
  });

  it('verifies the chain, then each member’s receipt against its newest charter', async () => {
    const out = await checkReceipts(
      api([row(0, signReceipt(receipt(0), seed(0))), row(1, signReceipt(receipt(1), seed(1))), row(2, null)]),
    );
    expect(out.chain.ok).toBe(true);
    expect(out.chain.pinned).toBe(false);
    expect(out.receipts.map((r) => [r.org, r.verdict])).toEqual([
      ['eu', 'verified'],
      ['us', 'verified'],
      ['apac', 'none'],
    ]);
  });

  it('checks no receipt against a chain that did not verify', async () => {
    const out = await checkReceipts(api([row(0, signReceipt(receipt(0), seed(0)))]), 'f'.repeat(64));
    expect(out.chain.ok).toBe(false);
    expect(out.chain.pinned).toBe(true);
    expect(out.receipts).toEqual([]);
  });
});
