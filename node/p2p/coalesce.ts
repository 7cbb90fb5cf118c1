/**
 * Fewer, larger writes on every libp2p connection (issue 17). yamux hands each frame (a stream's
 * header, a window update, a chunk of data, a close) to Noise as its own chunk, Noise seals each one as
 * its own frame and @libp2p/tcp writes each sealed frame with its own `write` syscall — which, on
 * loopback, also runs the receiver's network stack and wakes its event loop once per frame. One
 * request/response exchange is a dozen such frames; in the charter bench at N = 20 the socket writes
 * were ~10 % of the whole federation's CPU even when idle (docs/benchmarks.md, "fewer, larger writes").
 *
 * `coalesce` gathers the chunks a connection's writer produces within one turn of the event loop —
 * everything ready before the next `setImmediate` — and passes them on as one chunk (at most
 * `maxBytes`, one Noise frame), so Noise seals them once and TCP writes them once. A lone chunk is
 * passed on as it is; order and bytes are unchanged (the receiver's Noise and yamux decoders read a
 * byte stream, not chunks); the delay is at most the rest of the current loop turn. it-batched-bytes
 * (the js-libp2p ecosystem's batcher) waits on a `setTimeout` instead: ≥ 1 ms per hop.
 *
 * `coalescingWrites` wraps a connection encrypter (Noise) so that the secured connection it returns
 * coalesces what the stream muxer writes into it.
 */

/** Noise's largest plaintext in one frame (65,535 bytes less the 16-byte tag). */
export const NOISE_MAX_PLAINTEXT = 65_519;

/** A chunk as libp2p's streams carry it: bytes, or a list of them (`subarray()` joins a list). */
export interface Chunk {
  readonly byteLength: number;
  subarray(): Uint8Array;
}

const TURN_ENDED = Symbol('turn ended');
const ignore = (): void => {};

/** Joins chunks into one Uint8Array (a single one is returned as it is). */
function joined<C extends Chunk>(parts: C[], bytes: number): C | Uint8Array {
  if (parts.length === 1) return parts[0] as C;
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const p of parts) {
    out.set(p instanceof Uint8Array ? p : p.subarray(), at);
    at += p.byteLength;
  }
  return out;
}

/**
 * The chunks of `source`, those ready within one event-loop turn joined (each batch at most `maxBytes`;
 * a chunk larger than that alone, as it came). Ends, and fails, as `source` does — after passing on what
 * it had gathered.
 */
export async function* coalesce<C extends Chunk>(
  source: AsyncIterable<C> | Iterable<C>,
  maxBytes = NOISE_MAX_PLAINTEXT,
): AsyncGenerator<C | Uint8Array, void, undefined> {
  const it =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<C>)[Symbol.asyncIterator]()
      : (source as Iterable<C>)[Symbol.iterator]();
  const pull = (): Promise<IteratorResult<C>> => {
    const p = Promise.resolve(it.next());
    p.catch(ignore); // awaited below; a pull left pending when the writer stops must not go unhandled
    return p;
  };
  let pending: Promise<IteratorResult<C>> | undefined;
  try {
    for (;;) {
      const first = await (pending ?? pull());
      pending = undefined;
      if (first.done === true) return;
      let parts: C[] = [first.value];
      let bytes = first.value.byteLength;
      const turn = new Promise<typeof TURN_ENDED>((resolve) => setImmediate(resolve, TURN_ENDED));
      for (;;) {
        pending = pull();
        let next: IteratorResult<C> | typeof TURN_ENDED;
        try {
          next = await Promise.race([pending, turn]);
        } catch (err) {
          yield joined(parts, bytes);
          throw err;
        }
        if (next === TURN_ENDED) break; // `pending` starts the next batch
        pending = undefined;
        if (next.done === true) {
          yield joined(parts, bytes);
          return;
        }
        if (bytes + next.value.byteLength > maxBytes) {
          yield joined(parts, bytes);
          parts = [];
          bytes = 0;
        }
        parts.push(next.value);
        bytes += next.value.byteLength;
      }
      yield joined(parts, bytes);
    }
  } finally {
    // The writer stopped early (the connection closed): end the source without waiting on a pull that
    // may never settle.
    if (pending !== undefined) void Promise.resolve(it.return?.()).catch(ignore);
  }
}

/** What a connection encrypter's secure* returns, as far as this module touches it. */
interface Secured {
  conn: { sink: (source: AsyncIterable<Chunk>) => Promise<void> };
}

interface Encrypter {
  secureInbound(...args: never[]): Promise<unknown>;
  secureOutbound(...args: never[]): Promise<unknown>;
}

function coalesced<T>(secured: T): T {
  const conn = (secured as Secured).conn;
  const sink = conn.sink.bind(conn);
  conn.sink = (source) => sink(coalesce(source));
  return secured;
}

/** Wraps an encrypter factory (e.g. `noise(...)`): its secured connections coalesce their writes. */
export function coalescingWrites<A extends unknown[], E extends Encrypter>(factory: (...a: A) => E): (...a: A) => E {
  return (...a: A) => {
    const enc = factory(...a);
    const inbound = enc.secureInbound.bind(enc);
    const outbound = enc.secureOutbound.bind(enc);
    enc.secureInbound = (async (...args: never[]) => coalesced(await inbound(...args))) as E['secureInbound'];
    enc.secureOutbound = (async (...args: never[]) => coalesced(await outbound(...args))) as E['secureOutbound'];
    return enc;
  };
}
