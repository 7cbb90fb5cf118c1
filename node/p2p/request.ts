/**
 * Request/response over libp2p streams, for any protocol id: one stream carries one exchange — the
 * dialer writes one request frame, the listener answers with one response frame, both close. A frame is
 * an unsigned-varint length prefix and at most `maxBytes` bytes; a longer prefix or a stall longer than
 * the timeout ends the stream. The bytes are opaque here: each protocol's messages are decoded (strictly,
 * bounded — they are attacker-controlled) by its owner in protocol/. `/govfed/sync/1.0.0` (sync.ts) and
 * the federation modules' protocols (policy, witness) are all served through this file, under the
 * host's per-peer limits (serve-limits.ts: exchanges in flight, response bytes per window).
 *
 * The asking side's failures are typed too (answerError): a peer that closes the stream before its answer
 * is complete — it is stopping, its connection closed, or it refused the request (a listener that fails
 * aborts the exchange; the protocols have no error frame) — resets it or stays silent past the timeout is
 * ERR_PEER_UNAVAILABLE, an answer above the bound ERR_BAD_PEER_RESPONSE; never a bare stream error such as
 * it-byte-stream's "unexpected end of input".
 */
import { lpStream } from 'it-length-prefixed-stream';
import { GovfedError, isGovfedError } from '../../protocol/errors.ts';
import { NodeError } from '../errors.ts';
import { withDeadline } from './deadline.ts';
import type { Host } from './host.ts';

/** Default longest wait for a frame, either side. */
export const REQUEST_TIMEOUT_MS = 10_000;

/** Answers one request (attacker-controlled `req`) from the authenticated peer `from`. */
export type RequestHandler = (req: Uint8Array, from: string) => Promise<Uint8Array>;

/** Serves inbound exchanges of `protocol`; `allows(from)` is checked before the request is read. */
export async function serveRequests(
  host: Host,
  protocol: string,
  opts: {
    maxBytes: number;
    handler: RequestHandler;
    allows: (peer: string) => boolean;
    onError: (from: string, err: unknown) => void;
    timeoutMs?: number;
  },
): Promise<void> {
  const timeout = opts.timeoutMs ?? REQUEST_TIMEOUT_MS;
  await host.handle(protocol, (stream, from) => {
    void (async () => {
      let release = () => {};
      try {
        host.metrics.exchange(protocol, 'inbound');
        if (!opts.allows(from)) throw new GovfedError('ERR_UNKNOWN_SIGNER', `${from} may not use ${protocol}`);
        release = host.limits.enter(from);
        const lp = lpStream(stream as never, { maxDataLength: opts.maxBytes });
        const frame = await withDeadline(timeout, (signal) => lp.read({ signal }));
        const reply = await opts.handler(frame.subarray(), from);
        host.limits.spend(from, reply.length);
        await withDeadline(timeout, (signal) => lp.write(reply, { signal }));
        await stream.close();
      } catch (err) {
        opts.onError(from, frameError(err, opts.maxBytes));
        stream.abort(err instanceof Error ? err : new Error(String(err)));
      } finally {
        release();
      }
    })();
  });
}

/** A stream failure as a typed error: a frame above the bound, a stall, a reset (attacker-controlled). */
export function frameError(err: unknown, maxBytes: number): unknown {
  if (isGovfedError(err)) return err;
  const name = (err as { name?: string } | null)?.name ?? '';
  const text = `${name}: ${String((err as Error | null)?.message ?? err)}`;
  if (/InvalidDataLength|too long|too large/i.test(text)) {
    return new GovfedError('ERR_MESSAGE_TOO_LARGE', `request frame above ${maxBytes} bytes (${text})`, { cause: err });
  }
  if (/Timeout|Abort/i.test(text)) {
    return new GovfedError('ERR_INVALID_INPUT', `request frame not received in time (${text})`, { cause: err });
  }
  return new GovfedError('ERR_INVALID_INPUT', `request stream failed (${text})`, { cause: err });
}

/**
 * A failure of our exchange with `peer` on `protocol` (after the stream opened) as a typed error: see the
 * top. Typed errors (a decoder's rejection of the answer) pass through.
 */
export function answerError(
  err: unknown,
  at: { peer: string; protocol: string; maxBytes: number; timeoutMs: number },
): unknown {
  if (isGovfedError(err)) return err;
  const e = err as { name?: unknown; code?: unknown; message?: unknown } | null;
  const name = typeof e?.name === 'string' ? e.name : '';
  const code = typeof e?.code === 'string' ? e.code : '';
  const text = `${name}: ${String(e?.message ?? err)}`;
  const { peer, protocol } = at;
  const unavailable = (what: string) =>
    new NodeError('ERR_PEER_UNAVAILABLE', `${peer} ${what} (${protocol}; ${text})`, { cause: err });
  if (name === 'UnexpectedEOFError' || code === 'ERR_UNEXPECTED_EOF') {
    return unavailable(
      'closed the stream before its answer was complete: it is stopping, the connection closed, or it refused the request',
    );
  }
  if (/InvalidDataLength|too long|too large/i.test(text)) {
    return new NodeError(
      'ERR_BAD_PEER_RESPONSE',
      `${peer} answered above ${at.maxBytes} bytes (${protocol}; ${text})`,
      {
        cause: err,
      },
    );
  }
  if (/Timeout/i.test(text)) return unavailable(`did not answer within ${at.timeoutMs} ms`);
  if (/reset/i.test(text)) return unavailable('reset the stream before answering');
  return unavailable('failed the exchange');
}

/**
 * One exchange with `peerId` on `protocol`: sends `req`, returns the response frame (at most maxBytes).
 * At most OUTBOUND_STREAMS_PER_PROTOCOL at once per peer and protocol; more wait their turn (stream-slots.ts).
 */
export async function requestOnce(
  host: Host,
  peerId: string,
  protocol: string,
  req: Uint8Array,
  maxBytes: number,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<Uint8Array> {
  const release = await host.outbound.acquire(peerId, protocol, timeoutMs);
  host.metrics.exchange(protocol, 'outbound');
  let stream: Awaited<ReturnType<Host['openStream']>>;
  try {
    stream = await host.openStream(peerId, protocol, timeoutMs);
  } catch (err) {
    release();
    throw err;
  }
  try {
    const lp = lpStream(stream as never, { maxDataLength: maxBytes });
    await withDeadline(timeoutMs, (signal) => lp.write(req, { signal }));
    const frame = await withDeadline(timeoutMs, (signal) => lp.read({ signal }));
    const out = frame.subarray();
    await stream.close();
    return out;
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)));
    throw answerError(err, { peer: peerId, protocol, maxBytes, timeoutMs });
  } finally {
    release();
  }
}
