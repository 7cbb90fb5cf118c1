import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { lpStream } from 'it-length-prefixed-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberGate } from '../../../node/p2p/gate.ts';
import { Host, type RawStream } from '../../../node/p2p/host.ts';
import { answerError, requestOnce } from '../../../node/p2p/request.ts';
import { SyncTransport } from '../../../node/p2p/sync.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import { SYNC_PROTOCOL } from '../../../protocol/federation/topics.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const AT = { peer: '12D3KooWpeer', protocol: '/govfed/test/1.0.0', maxBytes: 100, timeoutMs: 500 };

describe('answerError', () => {
  describe('when the peer closed the stream before its answer was complete', () => {
    it('is ERR_PEER_UNAVAILABLE saying so (old code: a bare "unexpected end of input")', () => {
      const eof = Object.assign(new Error('unexpected end of input'), {
        name: 'UnexpectedEOFError',
        code: 'ERR_UNEXPECTED_EOF',
      });
      const err = answerError(eof, AT) as Error;
      expect(err).toEqual(code('ERR_PEER_UNAVAILABLE'));
      expect(err.message).toContain('12D3KooWpeer closed the stream before its answer was complete');
    });
  });

  describe('when the answer is above the bound, late, or the stream was reset', () => {
    it('names each with a typed code', () => {
      const big = Object.assign(new Error('message length too long'), { name: 'InvalidDataLengthError' });
      expect(answerError(big, AT)).toEqual(code('ERR_BAD_PEER_RESPONSE'));
      const late = answerError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), AT);
      expect(late).toEqual(code('ERR_PEER_UNAVAILABLE'));
      expect((late as Error).message).toContain('did not answer within 500 ms');
      const reset = answerError(Object.assign(new Error('stream reset'), { name: 'StreamResetError' }), AT);
      expect((reset as Error).message).toContain('reset the stream');
    });
  });

  describe('when the error is already typed (a decoder rejected the answer)', () => {
    it('passes it through (an untyped error that merely has a code property does not)', () => {
      const typed = Object.assign(new Error('x'), { code: 'ERR_INVALID_INPUT' });
      const g = new GovfedError('ERR_INVALID_INPUT', 'bad frame');
      expect(answerError(g, AT)).toBe(g);
      expect(answerError(typed, AT)).toEqual(code('ERR_PEER_UNAVAILABLE'));
    });
  });
});

/** A real libp2p host on 127.0.0.1 whose gate admits every peer. */
async function startHost(): Promise<Host> {
  return await Host.start({
    peerKey: privateKeyToProtobuf(await generateKeyPair('Ed25519')),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    federationId: 'ab'.repeat(32),
    gate: new MemberGate({ isMember: () => true }),
  });
}

describe('an exchange with a real peer that closes the stream without answering', () => {
  const hosts: Host[] = [];
  let asker: Host;
  let peer: Host;
  /** Reads the request frame, then closes the stream without a word (a peer stopping, or refusing). */
  const hangUp = (stream: RawStream) => {
    void (async () => {
      await lpStream(stream as never).read();
      await stream.close();
    })();
  };

  beforeAll(async () => {
    const start = async () => {
      const h = await startHost();
      hosts.push(h);
      return h;
    };
    asker = await start();
    peer = await start();
    await peer.handle(AT.protocol, hangUp);
    await peer.handle(SYNC_PROTOCOL, hangUp);
    await asker.dial(peer.addresses()[0] as string);
  }, 30_000);
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
  });

  it('requestOnce fails with ERR_PEER_UNAVAILABLE naming the peer and the protocol', async () => {
    const err = await requestOnce(asker, peer.peerId, AT.protocol, new Uint8Array([1, 2, 3]), 1024).catch((e) => e);
    expect(err).toEqual(code('ERR_PEER_UNAVAILABLE'));
    expect(err.message).toContain(`${peer.peerId} closed the stream before its answer was complete`);
    expect(err.message).toContain(AT.protocol);
  });

  it('a sync request (federation:sync-failed) fails the same way, not with "unexpected end of input"', async () => {
    const err = await new SyncTransport(asker).request(peer.peerId, { type: 'get-charters', from: 1 }).catch((e) => e);
    expect(err).toEqual(code('ERR_PEER_UNAVAILABLE'));
    expect(err.message).toMatch(/^12D3KooW\w+ closed the stream/);
  });
});

describe('many sync exchanges with one peer at once', () => {
  const hosts: Host[] = [];
  let asker: Host;
  let peer: Host;

  beforeAll(async () => {
    const start = async () => {
      const h = await startHost();
      hosts.push(h);
      // Both serve sync, as daemons do (libp2p then holds each side to the protocol's stream limit).
      await new SyncTransport(h).serve(
        async (msg) => {
          await new Promise((r) => setTimeout(r, 150));
          return msg;
        },
        () => {},
      );
      return h;
    };
    asker = await start();
    peer = await start();
    await asker.dial(peer.addresses()[0] as string);
  }, 30_000);
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
  });

  it('waits for a stream slot instead of failing past the protocol limit (20 at once, all answered)', async () => {
    const asks = Array.from({ length: 20 }, (_, i) =>
      new SyncTransport(asker).request(peer.peerId, { type: 'get-charters', from: i + 1 }),
    );
    const answers = await Promise.all(asks);
    expect(answers.map((a) => (a as { from: number }).from)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
