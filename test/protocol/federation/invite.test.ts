import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import { CharterChain } from '../../../protocol/federation/chain.ts';
import { addMembers, encodeCharter, federationId, MAX_CHARTER_BYTES } from '../../../protocol/federation/charter.ts';
import {
  createInvite,
  encodeInvite,
  type Invite,
  MAX_INVITE_BYTES,
  parseInvite,
  verifyInvite,
} from '../../../protocol/federation/invite.ts';
import { addSignature, charterOf } from '../../../protocol/federation/proposal.ts';
import { makeGenesis, member, peer, seed, signedBy, T0 } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const NOW = Date.parse('2025-01-02T00:00:00Z');
const bootstrap = [`/ip4/127.0.0.1/tcp/4001/p2p/${peer(0)}`, `/ip6/::1/tcp/4002/p2p/${peer(1)}`];
const invitee = { org: 'apac', peerId: peer(2), jurisdiction: 'SG' };
const EXPIRES = '2025-01-08T00:00:00Z';

/** eu and us (v2, admission threshold 1): eu invites apac. */
function setup(): { chain: CharterChain; invite: Invite } {
  const g = makeGenesis([0]);
  const chain = new CharterChain(signedBy(g, [0]));
  const v2 = addMembers(g, [member(1)], T0);
  chain.accept(signedBy(v2, [0, 1]));
  const proposal = signedBy(addMembers(v2, [{ ...invitee }], T0, EXPIRES), [0]);
  const invite = createInvite({ chain, proposal, invitee, bootstrap });
  return { chain, invite };
}

function mutate(invite: Invite, f: (v: Record<string, unknown>) => void): Uint8Array {
  const v = JSON.parse(JSON.stringify(invite)) as Record<string, unknown>;
  f(v);
  return canonicalBytes(v);
}

describe('createInvite', () => {
  describe('when the proposal admits the invitee and the inviter signed', () => {
    it('carries the chain, the proposal and the hints', () => {
      const { chain, invite } = setup();
      expect(invite.federationId).toBe(chain.federationId);
      expect(invite.genesis).toEqual(chain.entry(1)?.envelope);
      expect(invite.charters).toEqual([chain.entry(2)?.envelope]);
      expect(invite.bootstrap).toEqual(bootstrap);
    });
  });
  describe('when the proposal admits someone else', () => {
    it('throws ERR_MALFORMED_INVITE', () => {
      const { chain, invite } = setup();
      expect(() => createInvite({ ...invite, chain, invitee: { ...invitee, peerId: peer(3) } })).toThrow(
        code('ERR_MALFORMED_INVITE'),
      );
      expect(() => createInvite({ ...invite, chain, invitee: { ...invitee, jurisdiction: 'EU' } })).toThrow(
        code('ERR_MALFORMED_INVITE'),
      );
    });
  });
  describe('when the invitee carries a log key and a witness key', () => {
    const keyed = {
      ...invitee,
      logKey: 'govfed/apac/01020304+0a0b0c0d+AQ==',
      witnessKey: 'govfed/apac/witness+01020304+BA==',
    };
    it('round-trips them when the proposal lists the same keys', () => {
      const { chain } = setup();
      const proposal = signedBy(addMembers(chain.current, [{ ...keyed }], T0, EXPIRES), [0]);
      const inv = createInvite({ chain, proposal, invitee: keyed, bootstrap });
      expect(parseInvite(encodeInvite(inv)).invitee).toEqual(keyed);
    });
    it('throws ERR_MALFORMED_INVITE when the proposal lists other keys', () => {
      const { chain } = setup();
      const proposal = signedBy(addMembers(chain.current, [{ ...keyed, logKey: 'other+1+AQ==' }], T0, EXPIRES), [0]);
      expect(() => createInvite({ chain, proposal, invitee: keyed, bootstrap })).toThrow(code('ERR_MALFORMED_INVITE'));
    });
  });
  describe('when only the invitee signed the proposal', () => {
    it('throws ERR_MALFORMED_INVITE', () => {
      const { chain, invite } = setup();
      const onlyInvitee = signedBy(addMembers(chain.current, [{ ...invitee }], T0, EXPIRES), [2]);
      expect(() => createInvite({ ...invite, chain, proposal: onlyInvitee })).toThrow(code('ERR_MALFORMED_INVITE'));
    });
  });
  describe('when a bootstrap peer is not a member', () => {
    it('throws ERR_MALFORMED_INVITE', () => {
      const { chain, invite } = setup();
      const addr = [`/ip4/127.0.0.1/tcp/1/p2p/${peer(5)}`];
      expect(() => createInvite({ ...invite, chain, bootstrap: addr })).toThrow(code('ERR_MALFORMED_INVITE'));
    });
  });
  describe('when the proposal carries no signed expiry', () => {
    it('throws ERR_MALFORMED_INVITE', () => {
      const { chain } = setup();
      const unbounded = signedBy(addMembers(chain.current, [{ ...invitee }], T0), [0]);
      expect(() => createInvite({ chain, proposal: unbounded, invitee, bootstrap })).toThrow(
        code('ERR_MALFORMED_INVITE'),
      );
    });
  });
  describe('when the proposal carries a signed expiry', () => {
    it('copies it into the file: the expiry is inside what the inviter signed', () => {
      const { invite } = setup();
      expect(invite.expiresAt).toBe(EXPIRES);
      expect(charterOf(invite.proposal).expiresAt).toBe(EXPIRES);
    });
  });
});

describe('parseInvite', () => {
  describe('when given encodeInvite output', () => {
    it('round-trips', () => {
      const { invite } = setup();
      expect(parseInvite(encodeInvite(invite))).toEqual(invite);
    });
  });
  describe('when the bytes break a rule', () => {
    const cases: [string, (v: Record<string, unknown>) => void][] = [
      ['unknown field', (v) => (v.extra = true)],
      ['missing field', (v) => delete v.expiresAt],
      ['wrong type', (v) => (v.type = 'govfed.invite/v2')],
      ['bad federation id', (v) => (v.federationId = 'xyz')],
      ['bad expiry', (v) => (v.expiresAt = 'tomorrow')],
      ['no bootstrap', (v) => (v.bootstrap = [])],
      ['bootstrap without /p2p/', (v) => (v.bootstrap = ['/ip4/127.0.0.1/tcp/1'])],
      [
        'bootstrap with a non-Ed25519 peer',
        (v) => (v.bootstrap = ['/ip4/127.0.0.1/tcp/1/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N']),
      ],
      ['duplicate bootstrap', (v) => (v.bootstrap = [bootstrap[0], bootstrap[0]])],
      ['invitee with extra field', (v) => ((v.invitee as Record<string, unknown>).x = 1)],
      ['invitee with a bad peer id', (v) => ((v.invitee as Record<string, unknown>).peerId = 'nope')],
      ['malformed genesis envelope', (v) => ((v.genesis as Record<string, unknown>).signatures = [])],
      ['charters not an array', (v) => (v.charters = {})],
      ['proposal that is not a charter', (v) => ((v.proposal as Record<string, unknown>).payloadType = 'x/y')],
    ];
    for (const [what, f] of cases) {
      it(`throws ERR_MALFORMED_INVITE for ${what}`, () => {
        expect(() => parseInvite(mutate(setup().invite, f))).toThrow(code('ERR_MALFORMED_INVITE'));
      });
    }
    it('throws ERR_MALFORMED_INVITE for a key written twice', () => {
      const text = new TextDecoder().decode(encodeInvite(setup().invite));
      const twice = text.replace('{"bootstrap":', '{"type":"govfed.invite/v1","bootstrap":');
      expect(() => parseInvite(utf8(twice))).toThrow(code('ERR_MALFORMED_INVITE'));
    });
    it('throws ERR_MALFORMED_INVITE for bytes that are not UTF-8 JSON', () => {
      expect(() => parseInvite(new Uint8Array([0xff, 0xfe]))).toThrow(code('ERR_MALFORMED_INVITE'));
    });
  });
  describe('when the file was re-indented (jq ., an editor)', () => {
    it('parses to the same invite: it is checked by its signatures, not its bytes', () => {
      const { chain, invite } = setup();
      const text = new TextDecoder().decode(encodeInvite(invite));
      for (const layout of [JSON.stringify(JSON.parse(text), null, 4), JSON.stringify(JSON.parse(text), null, '\t')]) {
        const parsed = parseInvite(utf8(`${layout}\n`));
        expect(parsed).toEqual(invite);
        const v = verifyInvite(parsed, { now: NOW, pinnedFederationId: chain.federationId, self: peer(2) });
        expect(v.status.missingNewMembers).toEqual([peer(2)]);
      }
    });
    it('still fails verifyInvite when a value was changed', () => {
      const { invite } = setup();
      const v = JSON.parse(JSON.stringify(invite)) as Invite;
      v.invitee.jurisdiction = 'EU';
      const edited = parseInvite(utf8(JSON.stringify(v, null, 4)));
      expect(() => verifyInvite(edited, { now: NOW, self: peer(2) })).toThrow(code('ERR_MALFORMED_INVITE'));
    });
  });
  describe('when a signature is in URL-safe base64', () => {
    it('reads it as the same bytes (DSSE verifiers accept both alphabets) and keeps the standard form', () => {
      const { invite } = setup();
      const envs = [invite.genesis, ...invite.charters, invite.proposal];
      const sigs = envs.flatMap((e) => e.signatures.map((s) => s.sig));
      const sig = sigs.find((x) => /[+/]/.test(x));
      expect(sig).toBeDefined();
      const urlSafe = sig!.replaceAll('+', '-').replaceAll('/', '_');
      const bytes = utf8(new TextDecoder().decode(encodeInvite(invite)).replace(sig!, urlSafe));
      expect(parseInvite(bytes)).toEqual(invite);
    });
  });
  describe('when the file is too large', () => {
    it('throws ERR_MALFORMED_INVITE above MAX_INVITE_BYTES without parsing', () => {
      expect(() => parseInvite(new Uint8Array(MAX_INVITE_BYTES + 1))).toThrow(code('ERR_MALFORMED_INVITE'));
      expect(MAX_INVITE_BYTES).toBeGreaterThan(MAX_CHARTER_BYTES);
    });
  });
});

describe('verifyInvite', () => {
  describe('when the invitee checks a fresh invite with the pinned id', () => {
    it('returns the chain and a proposal that awaits its signature and a co-signature', () => {
      const { chain, invite } = setup();
      const v = verifyInvite(parseInvite(encodeInvite(invite)), {
        now: NOW,
        pinnedFederationId: chain.federationId,
        self: peer(2),
      });
      expect(v.chain.version).toBe(2);
      expect(v.status.missingNewMembers).toEqual([peer(2)]);
      expect(v.status.required).toBe(1);
      // The joiner signs; with admission threshold 1 the change is complete and the chain takes it.
      const signed = addSignature(invite.proposal, seed(2));
      expect(v.chain.proposalStatus(signed).complete).toBe(true);
      expect(v.chain.accept(signed).status).toBe('accepted');
      expect(v.chain.isMember(peer(2))).toBe(true);
    });
  });
  describe('when the invite has expired', () => {
    it('throws ERR_INVITE_EXPIRED', () => {
      const { invite } = setup();
      expect(() => verifyInvite(invite, { now: Date.parse(EXPIRES) })).toThrow(code('ERR_INVITE_EXPIRED'));
    });
  });
  describe('when the invitee edits expiresAt in the file after expiry', () => {
    it('throws ERR_INVITE_EXPIRED: the signed expiry counts', () => {
      const { invite } = setup();
      const edited = parseInvite(mutate(invite, (v) => (v.expiresAt = '2030-01-01T00:00:00Z')));
      expect(edited.expiresAt).toBe('2030-01-01T00:00:00Z');
      expect(() => verifyInvite(edited, { now: Date.parse('2025-01-09T00:00:00Z') })).toThrow(
        code('ERR_INVITE_EXPIRED'),
      );
    });
  });
  describe('when expiresAt in the file differs from the signed one before expiry', () => {
    it('throws ERR_MALFORMED_INVITE', () => {
      const { invite } = setup();
      const edited = parseInvite(mutate(invite, (v) => (v.expiresAt = '2025-01-03T00:00:00Z')));
      expect(() => verifyInvite(edited, { now: NOW })).toThrow(code('ERR_MALFORMED_INVITE'));
    });
  });
  describe('when the invitee edits the signed expiry inside the proposal', () => {
    it('fails the inviter signature (ERR_BAD_SIGNATURE)', () => {
      const { invite } = setup();
      const c = { ...charterOf(invite.proposal), expiresAt: '2030-01-01T00:00:00Z' };
      const forged = { ...invite.proposal, payload: toBase64(encodeCharter(c)) };
      expect(() =>
        verifyInvite({ ...invite, proposal: forged, expiresAt: '2030-01-01T00:00:00Z' }, { now: NOW }),
      ).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });
  describe('when the proposal carries no signed expiry', () => {
    it('throws ERR_MALFORMED_INVITE', () => {
      const { chain, invite } = setup();
      const unbounded = signedBy(addMembers(chain.current, [{ ...invitee }], T0), [0]);
      expect(() => verifyInvite({ ...invite, proposal: unbounded }, { now: NOW })).toThrow(
        code('ERR_MALFORMED_INVITE'),
      );
    });
  });
  describe('when the pinned federation differs', () => {
    it('throws ERR_FEDERATION_MISMATCH', () => {
      const { invite } = setup();
      const other = federationId(makeGenesis([3]));
      expect(() => verifyInvite(invite, { now: NOW, pinnedFederationId: other })).toThrow(
        code('ERR_FEDERATION_MISMATCH'),
      );
    });
  });
  describe('when the federation id does not match the genesis', () => {
    it('throws ERR_FEDERATION_MISMATCH', () => {
      const { invite } = setup();
      const other = federationId(makeGenesis([3]));
      expect(() => verifyInvite({ ...invite, federationId: other }, { now: NOW })).toThrow(
        code('ERR_FEDERATION_MISMATCH'),
      );
    });
  });
  describe('when the invite is for another peer', () => {
    it('throws ERR_MALFORMED_INVITE', () => {
      const { invite } = setup();
      expect(() => verifyInvite(invite, { now: NOW, self: peer(4) })).toThrow(code('ERR_MALFORMED_INVITE'));
    });
  });
  describe('when the chain is missing a version', () => {
    it('throws ERR_CHARTER_GAP for the proposal', () => {
      const { invite } = setup();
      expect(() => verifyInvite({ ...invite, charters: [] }, { now: NOW })).toThrow(code('ERR_CHARTER_GAP'));
    });
  });
});
