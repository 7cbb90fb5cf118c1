import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { CharterChain } from '../../../protocol/federation/chain.ts';
import { addMembers } from '../../../protocol/federation/charter.ts';
import {
  addressesResponse,
  chartersResponse,
  decodeSyncMessage,
  encodeSyncMessage,
  helloFor,
  MAX_ADDRESS_PEERS,
  MAX_ADDRESSES_PER_PEER,
  MAX_SYNC_CHARTERS,
  MAX_SYNC_MESSAGE_BYTES,
  nextRequest,
  SYNC_PROTOCOL,
  type SyncMessage,
} from '../../../protocol/federation/sync.ts';
import { makeGenesis, member, signedBy, T0 } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

/** A chain at version `n` (each step admits one more org). */
function chainAt(n: number): CharterChain {
  let c = makeGenesis([0]);
  const chain = new CharterChain(signedBy(c, [0]));
  for (let i = 1; i < n; i++) {
    c = addMembers(c, [member(i)], T0);
    chain.accept(signedBy(c, [0, i]));
  }
  return chain;
}

describe('SYNC_PROTOCOL', () => {
  it('is the versioned libp2p protocol id', () => {
    expect(SYNC_PROTOCOL).toBe('/govfed/sync/1.0.0');
  });
});

describe('encodeSyncMessage / decodeSyncMessage', () => {
  const chain = chainAt(3);
  const messages: SyncMessage[] = [
    helloFor(chain, { policy: { height: 0, digest: `sha256:${'0'.repeat(64)}` } }),
    { type: 'get-charters', from: 2 },
    chartersResponse(chain, { type: 'get-charters', from: 1 }),
    { type: 'proposal', envelope: signedBy(addMembers(chain.current, [member(3)], T0), [0]) },
    { type: 'get-addresses' },
    { type: 'addresses', members: { [member(1).peerId]: [`/ip4/10.0.0.2/tcp/4001/p2p/${member(1).peerId}`] } },
  ];
  describe('for every message type', () => {
    it('round-trips through canonical bytes', () => {
      for (const m of messages) {
        const bytes = encodeSyncMessage(m);
        expect(bytes).toEqual(canonicalBytes(m));
        expect(decodeSyncMessage(bytes)).toEqual(m);
      }
    });
  });
  describe('when the message breaks a rule', () => {
    const hello = helloFor(chain) as unknown as Record<string, unknown>;
    const cases: [string, unknown][] = [
      ['unknown type', { type: 'bye' }],
      ['extra field', { type: 'get-charters', from: 1, x: 1 }],
      ['from 0', { type: 'get-charters', from: 0 }],
      ['fractional from', { type: 'get-charters', from: 1.5 }],
      ['hello without a charter head', { ...hello, heads: {} }],
      ['hello whose charter head disagrees', { ...hello, charterVersion: 2 }],
      [
        'hello with a bad kind',
        {
          ...hello,
          heads: { ...(hello.heads as object), 'Bad Kind': { height: 1, digest: `sha256:${'0'.repeat(64)}` } },
        },
      ],
      ['hello with a bad federation id', { ...hello, federationId: 'x' }],
      ['charters not an array', { type: 'charters', envelopes: {} }],
      ['too many charters', { type: 'charters', envelopes: Array(MAX_SYNC_CHARTERS + 1).fill(chain.head.envelope) }],
      ['a non-charter envelope', { type: 'charters', envelopes: [{ ...chain.head.envelope, payloadType: 'x/y' }] }],
      ['a proposal without envelope', { type: 'proposal' }],
    ];
    for (const [what, value] of cases) {
      it(`throws ERR_MALFORMED_SYNC_MESSAGE for ${what}`, () => {
        expect(() => decodeSyncMessage(canonicalBytes(value))).toThrow(code('ERR_MALFORMED_SYNC_MESSAGE'));
      });
    }
    it('throws ERR_MALFORMED_SYNC_MESSAGE for non-canonical JSON', () => {
      expect(() => decodeSyncMessage(utf8('{"type":"get-charters", "from":1}'))).toThrow(
        code('ERR_MALFORMED_SYNC_MESSAGE'),
      );
    });
    it('throws ERR_MALFORMED_SYNC_MESSAGE above the frame bound', () => {
      expect(() => decodeSyncMessage(new Uint8Array(MAX_SYNC_MESSAGE_BYTES + 1))).toThrow(
        code('ERR_MALFORMED_SYNC_MESSAGE'),
      );
      expect(() => decodeSyncMessage(encodeSyncMessage(messages[2]!), 100)).toThrow(code('ERR_MALFORMED_SYNC_MESSAGE'));
    });
  });
});

describe('chartersResponse', () => {
  describe('when a peer asks from version 2', () => {
    it('returns versions 2..n', () => {
      const chain = chainAt(5);
      const r = chartersResponse(chain, { type: 'get-charters', from: 2 });
      expect(r.envelopes).toEqual(
        chain
          .versions()
          .slice(1)
          .map((e) => e.envelope),
      );
    });
  });
});

describe('nextRequest', () => {
  describe('when a peer that was offline meets one that is ahead', () => {
    it('asks for the missing versions and catches up by sync alone', () => {
      const ahead = chainAt(5);
      const behind = CharterChain.fromEnvelopes(
        ahead.federationId,
        ahead
          .versions()
          .slice(0, 2)
          .map((e) => e.envelope),
      );
      const hello = decodeSyncMessage(encodeSyncMessage(helloFor(ahead)));
      if (hello.type !== 'hello') throw new Error('expected hello');
      const req = nextRequest(behind, hello);
      expect(req).toEqual({ type: 'get-charters', from: 3 });
      const res = decodeSyncMessage(encodeSyncMessage(chartersResponse(ahead, req!)));
      if (res.type !== 'charters') throw new Error('expected charters');
      for (const env of res.envelopes) behind.accept(env);
      expect(behind.head.digest).toBe(ahead.head.digest);
      expect(nextRequest(behind, helloFor(ahead))).toBeUndefined();
    });
  });
  describe('when the peer is in another federation', () => {
    it('throws ERR_FEDERATION_MISMATCH', () => {
      const other = new CharterChain(signedBy(makeGenesis([5]), [5]));
      expect(() => nextRequest(chainAt(2), helloFor(other))).toThrow(code('ERR_FEDERATION_MISMATCH'));
    });
  });
});

describe('get-addresses / addresses', () => {
  const chain = chainAt(3);
  const p1 = member(1).peerId;
  const p2 = member(2).peerId;
  const at = (peer: string, host = '10.0.0.2') => `/ip4/${host}/tcp/4001/p2p/${peer}`;
  const addresses = (members: unknown) => encode({ type: 'addresses', members });
  const encode = (v: unknown) => utf8(JSON.stringify(v));

  describe('when an answer breaks a rule (attacker-controlled)', () => {
    it.each([
      ['an address listed under another peer id', { [p1]: [at(p2)] }],
      ['an address without /p2p/', { [p1]: ['/ip4/10.0.0.2/tcp/4001'] }],
      ['a DNS address', { [p1]: [`/dns4/example.org/tcp/4001/p2p/${p1}`] }],
      ['an empty list', { [p1]: [] }],
      ['a duplicate address', { [p1]: [at(p1), at(p1)] }],
      [
        `more than ${MAX_ADDRESSES_PER_PEER} addresses`,
        { [p1]: Array.from({ length: MAX_ADDRESSES_PER_PEER + 1 }, (_, i) => at(p1, `10.0.0.${i + 1}`)) },
      ],
      ['not an object', [at(p1)]],
    ])('rejects %s with ERR_MALFORMED_SYNC_MESSAGE', (_, members) => {
      expect(() => decodeSyncMessage(addresses(members))).toThrow(code('ERR_MALFORMED_SYNC_MESSAGE'));
    });

    it(`rejects more than ${MAX_ADDRESS_PEERS} peers`, () => {
      const many: Record<string, string[]> = {};
      for (let i = 0; i <= MAX_ADDRESS_PEERS; i++) many[`${p1}${i}`] = [at(p1)];
      expect(() => decodeSyncMessage(addresses(many))).toThrow(code('ERR_MALFORMED_SYNC_MESSAGE'));
    });

    it('rejects a get-addresses with a field', () => {
      expect(() => decodeSyncMessage(encode({ type: 'get-addresses', from: 1 }))).toThrow(
        code('ERR_MALFORMED_SYNC_MESSAGE'),
      );
    });
  });

  describe('addressesResponse', () => {
    it('answers members of the charter only, with addresses in the checked form, at most 4 each', () => {
      const outsider = member(5).peerId;
      const r = addressesResponse(chain, {
        [p1]: [at(p1), 'not an address', at(p2), ...['3', '4', '5', '6'].map((h) => at(p1, `10.0.0.${h}`))],
        [p2]: ['garbage'],
        [outsider]: [at(outsider)],
      });
      expect(r).toEqual({
        type: 'addresses',
        members: { [p1]: [at(p1), ...['3', '4', '5'].map((h) => at(p1, `10.0.0.${h}`))] },
      });
      expect(decodeSyncMessage(encodeSyncMessage(r))).toEqual(r);
    });
  });
});
