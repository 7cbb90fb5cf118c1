import { describe, expect, it } from 'vitest';
import { InboundLimiter, ipOf, MAX_PENDING_PER_SOURCE, sourceOf } from '../../../node/p2p/admission.ts';

const conn = (addr: string) => ({ remoteAddr: { toString: () => addr } });

describe('sourceOf', () => {
  it('keys IPv4 by address and IPv6 by /64', () => {
    expect(sourceOf('10.0.0.7')).toBe('10.0.0.7');
    expect(sourceOf('::ffff:10.0.0.7')).toBe('10.0.0.7');
    expect(sourceOf('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(sourceOf('2001:db8:0:1:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:0:1::/64');
    expect(ipOf('/ip6/2001:DB8::1/tcp/1')).toBe('2001:db8::1');
    expect(ipOf('/dns4/example.com/tcp/1')).toBeUndefined();
  });
});

describe('InboundLimiter', () => {
  describe('when one source opens more handshakes than its share', () => {
    it('refuses the surplus until handshakes complete or time out', () => {
      const now = { t: 0 };
      const l = new InboundLimiter({ windowMs: 3000, now: () => now.t });
      const conns = Array.from({ length: MAX_PENDING_PER_SOURCE }, () => conn('/ip4/10.0.0.9/tcp/5000'));
      for (const c of conns) expect(l.begin(c)).toBe(true);
      expect(l.begin(conn('/ip4/10.0.0.9/tcp/5001'))).toBe(false);
      expect(l.refused).toBe(1);
      // another source is not affected
      expect(l.begin(conn('/ip4/10.0.0.10/tcp/5000'))).toBe(true);
      // a completed handshake frees its place
      l.done(conns[0] as ReturnType<typeof conn>);
      expect(l.begin(conn('/ip4/10.0.0.9/tcp/5002'))).toBe(true);
      expect(l.begin(conn('/ip4/10.0.0.9/tcp/5003'))).toBe(false);
      // silent ones keep their place until the upgrade timeout, then free it
      now.t = 3000;
      expect(l.pendingFrom('/ip4/10.0.0.9/tcp/1')).toBe(0);
      expect(l.begin(conn('/ip4/10.0.0.9/tcp/5004'))).toBe(true);
    });
  });

  describe('when the source is a known member address', () => {
    it('always lets it through', () => {
      const l = new InboundLimiter({ maxPendingPerSource: 1 });
      l.allowAddress('/ip4/10.0.0.1/tcp/4001/p2p/12D3KooWx');
      for (let i = 0; i < 5; i++) expect(l.begin(conn('/ip4/10.0.0.1/tcp/6000'))).toBe(true);
      expect(l.isKnown('/ip4/10.0.0.1/tcp/1')).toBe(true);
      expect(l.begin(conn('/ip6/2001:db8::1/tcp/1'))).toBe(true);
      expect(l.begin(conn('/ip6/2001:db8::2/tcp/1'))).toBe(false); // same /64
    });
  });
});
