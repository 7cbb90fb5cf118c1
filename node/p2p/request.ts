/**
 * Request/response over libp2p streams, for any protocol id: one stream carries one exchange — the
 * dialer writes one request frame, the listener answers with one response frame, both close. A frame is
 * an unsigned-varint length prefix and at most `maxBytes` bytes; a longer prefix or a stall longer than
 * the timeout ends the stream. The bytes are opaque here: each protocol's messages are decoded (strictly,
 * bounded — they are attacker-controlled) by its owner in protocol/. `/govfed/sync/1.0.0` (sync.ts) uses
 * the same framing; federation modules (policy, witness) serve their own protocols through this file.
 */
import { lpStream } from 'it-length-prefixed-stream';
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
      try {
        if (!opts.allows(from)) throw new Error(`${from} may not use ${protocol}`);
        const lp = lpStream(stream as never, { maxDataLength: opts.maxBytes });
        const frame = await lp.read({ signal: AbortSignal.timeout(timeout) });
        const reply = await opts.handler(frame.subarray(), from);
        await lp.write(reply, { signal: AbortSignal.timeout(timeout) });
        await stream.close();
      } catch (err) {
        opts.onError(from, err);
        stream.abort(err instanceof Error ? err : new Error(String(err)));
      }
    })();
  });
}

/** One exchange with `peerId` on `protocol`: sends `req`, returns the response frame (at most maxBytes). */
export async function requestOnce(
  host: Host,
  peerId: string,
  protocol: string,
  req: Uint8Array,
  maxBytes: number,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<Uint8Array> {
  const stream = await host.openStream(peerId, protocol, timeoutMs);
  try {
    const lp = lpStream(stream as never, { maxDataLength: maxBytes });
    await lp.write(req, { signal: AbortSignal.timeout(timeoutMs) });
    const frame = await lp.read({ signal: AbortSignal.timeout(timeoutMs) });
    const out = frame.subarray();
    await stream.close();
    return out;
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}
