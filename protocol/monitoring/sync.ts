/**
 * Monitoring windows' anti-entropy (`/govfed/monitoring/1.0.0`; docs/PROTOCOL.md "Monitoring windows"):
 * each sync round a member asks one of the round's peers for the latest window of every series it holds
 * (org × model version × contract × monitor × shadow), so a member that was offline while a window was
 * gossiped gets it without waiting for the next one.
 *
 *   request   JCS({ "type": "get-windows" })
 *   response  JCS({ "type": "windows", "envelopes": [ <monitor-window envelope>, … ] })
 *
 * Bounded: at most MAX_SYNC_WINDOWS envelopes, each a well-formed envelope of at most MAX_WINDOW_ENVELOPE
 * bytes, in a frame of at most MAX_MONITOR_SYNC_FRAME bytes (the answering side fills it newest first and
 * stops before the bound). The envelopes are only parsed here: each is verified exactly like a gossiped
 * window (statement.ts verifyWindow) by the receiver before it is kept.
 */
import { parseCanonicalFrame } from '../canonical/frame.ts';
import { canonicalBytes } from '../canonical/jcs.ts';
import { type Envelope, parseEnvelope } from '../dsse/index.ts';
import { GovfedError } from '../errors.ts';
import { MAX_WINDOW_ENVELOPE } from './statement.ts';

export const MONITOR_SYNC_PROTOCOL = '/govfed/monitoring/1.0.0';
export const MAX_SYNC_WINDOWS = 64;
/** Largest response frame. */
export const MAX_MONITOR_SYNC_FRAME = 1024 * 1024;
const ENVELOPE_LIMITS = { maxBytes: MAX_WINDOW_ENVELOPE, maxSignatures: 1 };
/** Room left for the frame's own fields. */
const FRAME_OVERHEAD = 64;

function malformed(message: string, cause?: unknown): GovfedError {
  return new GovfedError(
    'ERR_MALFORMED_MONITOR_SYNC',
    `monitor sync: ${message}`,
    cause === undefined ? {} : { cause },
  );
}

export function encodeWindowsRequest(): Uint8Array {
  return canonicalBytes({ type: 'get-windows' });
}

/** Checks a request frame (attacker-controlled). Throws ERR_MALFORMED_MONITOR_SYNC or ERR_NOT_CANONICAL. */
export function decodeWindowsRequest(bytes: Uint8Array): void {
  const v = parseCanonicalFrame(bytes, 64, malformed);
  if (Object.keys(v).length !== 1 || v.type !== 'get-windows') throw malformed('request must be {type: get-windows}');
}

/** The response: `envelopes` in order (newest first, say) while they fit the frame and the count bound. */
export function encodeWindowsResponse(envelopes: readonly Envelope[]): Uint8Array {
  const kept: Envelope[] = [];
  let size = FRAME_OVERHEAD;
  for (const env of envelopes) {
    if (kept.length >= MAX_SYNC_WINDOWS) break;
    const n = canonicalBytes(env).length + 1;
    if (n > MAX_WINDOW_ENVELOPE || size + n > MAX_MONITOR_SYNC_FRAME) continue;
    kept.push(env);
    size += n;
  }
  return canonicalBytes({ type: 'windows', envelopes: kept });
}

/** Checks a response frame (attacker-controlled): bounded, strict, each envelope well-formed (not verified). */
export function decodeWindowsResponse(bytes: Uint8Array): Envelope[] {
  const v = parseCanonicalFrame(bytes, MAX_MONITOR_SYNC_FRAME, malformed);
  const keys = Object.keys(v).sort();
  if (v.type !== 'windows' || keys.length !== 2 || keys[0] !== 'envelopes' || keys[1] !== 'type') {
    throw malformed('response must be {type: windows, envelopes}');
  }
  const list = v.envelopes;
  if (!Array.isArray(list) || list.length > MAX_SYNC_WINDOWS) {
    throw malformed(`envelopes must be an array of at most ${MAX_SYNC_WINDOWS}`);
  }
  return list.map((e, i) => {
    try {
      return parseEnvelope(e, ENVELOPE_LIMITS);
    } catch (cause) {
      throw malformed(`envelopes[${i}] is not a well-formed envelope`, cause);
    }
  });
}
