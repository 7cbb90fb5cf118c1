/**
 * The witness decision of c2sp.org/tlog-witness `add-checkpoint`, as a pure function.
 *
 * A witness keeps, per log origin, the size and root hash of the latest checkpoint it cosigned. Given
 * a request it either cosigns the checkpoint (and returns the state to record) or refuses with a
 * WitnessError whose `status` is the HTTP status the spec prescribes. The caller (node/witness) reads
 * the state, calls addCheckpoint and stores `next` as ONE atomic step per origin; otherwise two
 * concurrent requests could roll the recorded size back (the race in the spec).
 *
 * Every status code case of add-checkpoint, in the spec's words, and the code we throw:
 *
 *   400  "The request body MUST be a sequence of an old size line, zero or more consistency proof
 *        lines, and an empty line, followed by a checkpoint." ... "The client MUST NOT send more than
 *        63 consistency proof lines."                                   ERR_MALFORMED_WITNESS_REQUEST
 *   404  "If the checkpoint origin is unknown, the witness MUST respond with a "404 Not Found" HTTP
 *        status code."                                                  ERR_UNKNOWN_ORIGIN
 *   403  "The witness MUST respond with a "403 Forbidden" HTTP status code if either no signature from
 *        a trusted key for the origin is present, or a signature line's key name and ID match a
 *        trusted key but the signature itself fails to verify."          ERR_UNTRUSTED_CHECKPOINT
 *   400  "The old size MUST be equal to or lower than the checkpoint size. Otherwise, the witness MUST
 *        respond with a "400 Bad Request" HTTP status code."             ERR_OLD_SIZE_TOO_LARGE
 *   409  "The witness MUST check that the old size matches the size of the latest checkpoint it
 *        cosigned for the checkpoint's origin (or zero if it never cosigned a checkpoint for that
 *        origin). If it doesn't match, the witness MUST respond with a "409 Conflict" HTTP status code.
 *        The response body MUST consist of the tree size of the latest cosigned checkpoint in decimal,
 *        followed by a newline (U+000A). The response MUST have a Content-Type of text/x.tlog.size."
 *                                                                       ERR_OLD_SIZE_MISMATCH
 *                                                                       (err.recordedSize)
 *   422  "The consistency proof lines MUST encode a Merkle Consistency Proof from the old size to the
 *        checkpoint size according to RFC 6962, Section 2.1.2. The proof MUST be empty if the old size
 *        is zero. If the Merkle Consistency Proof doesn't verify, the witness MUST respond with a "422
 *        Unprocessable Entity" HTTP status code."                        ERR_CONSISTENCY_FAILED
 *   409  "If the old size matches the checkpoint size, the witness MUST check that the root hashes are
 *        also identical. If they don't match, the witness MUST respond with a "409 Conflict" HTTP
 *        status code."                                                  ERR_ROOT_CONFLICT (no size body)
 *   200  "If all the checks above pass, the witness MUST update its record of the latest cosigned
 *        checkpoint and respond with a "200 Success" HTTP status code. The response body MUST be a
 *        sequence of one or more note signature lines ... The signatures MUST be cosignatures from the
 *        witness key(s) on the checkpoint."                             { cosignatureLines, next }
 *
 * The checks run in that order. Notes on the order and on what the spec leaves open:
 *   - The 403 wording is the editor's draft; tlog-witness v1.0.0 only says "If none of the signatures
 *     verify against a trusted public key". The draft's rule is stricter and the note parser (Go's
 *     note.Open too) rejects a note with a bad signature by a known key anyway.
 *   - Same size: a non-empty proof does not verify (422); equal roots re-cosign the same checkpoint
 *     (the state does not move) — with the cosignature given before when the caller passes it as
 *     `previous` and the text is the same, else afresh; for size 0 the recorded root is the empty-tree
 *     hash.
 *   - The witness never rolls back: a checkpoint smaller than the recorded size fails the old size
 *     checks (400 when old > checkpoint size, 409 otherwise), so it is never cosigned.
 *   - "the witness MAY log the request even if the consistency proof doesn't verify (but MUST NOT
 *     cosign the checkpoint) as it might be proof of log misbehavior": a WitnessError of 409 root
 *     conflict or 422 carries `checkpoint` (verified log signature) for the caller to keep as evidence
 *     (evidence.ts decides whether it is proof).
 */
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { equalBytes, utf8 } from '../encoding/bytes.ts';
import { GovfedError, isGovfedError } from '../errors.ts';
import { EMPTY_ROOT, verifyConsistency } from '../log/index.ts';
import {
  type Checkpoint,
  formatSignatureLine,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  openNote,
} from '../note/index.ts';
import { parseLogKey } from './keys.ts';
import { type AddCheckpointRequest, parseAddCheckpoint } from './request.ts';

/** What a witness records per origin: the latest checkpoint it cosigned. */
export interface WitnessState {
  size: number;
  rootHash: Uint8Array;
}

/** Trusted log keys by origin (a checkpoint's first line). */
export type KnownLogs = ReadonlyMap<string, readonly NoteVerifier[]>;

export type WitnessStatus = 400 | 403 | 404 | 409 | 422;

export type WitnessErrorCode =
  | 'ERR_MALFORMED_WITNESS_REQUEST'
  | 'ERR_UNKNOWN_ORIGIN'
  | 'ERR_UNTRUSTED_CHECKPOINT'
  | 'ERR_OLD_SIZE_TOO_LARGE'
  | 'ERR_OLD_SIZE_MISMATCH'
  | 'ERR_CONSISTENCY_FAILED'
  | 'ERR_ROOT_CONFLICT';

/** The HTTP status of each refusal (tlog-witness). */
export const WITNESS_STATUS: Readonly<Record<WitnessErrorCode, WitnessStatus>> = {
  ERR_MALFORMED_WITNESS_REQUEST: 400,
  ERR_UNKNOWN_ORIGIN: 404,
  ERR_UNTRUSTED_CHECKPOINT: 403,
  ERR_OLD_SIZE_TOO_LARGE: 400,
  ERR_OLD_SIZE_MISMATCH: 409,
  ERR_CONSISTENCY_FAILED: 422,
  ERR_ROOT_CONFLICT: 409,
};

/** Thrown by addCheckpoint: a refusal with the status tlog-witness prescribes for it. */
export class WitnessError extends GovfedError<WitnessErrorCode> {
  readonly status: WitnessStatus;
  /** ERR_OLD_SIZE_MISMATCH only: the size the witness last cosigned (the 409 body). */
  readonly recordedSize?: number;
  /** The checkpoint, when its log signature verified (409 root conflict, 422): possible evidence. */
  readonly checkpoint?: Checkpoint;

  constructor(
    code: WitnessErrorCode,
    message: string,
    options: { cause?: unknown; recordedSize?: number; checkpoint?: Checkpoint } = {},
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WitnessError';
    this.status = WITNESS_STATUS[code];
    if (options.recordedSize !== undefined) this.recordedSize = options.recordedSize;
    if (options.checkpoint !== undefined) this.checkpoint = options.checkpoint;
  }
}

/** True when `err` is a WitnessError (optionally with the given code). */
export function isWitnessError(err: unknown, code?: WitnessErrorCode): err is WitnessError {
  return err instanceof WitnessError && (code === undefined || err.code === code);
}

export interface AddCheckpointInput {
  /** Trusted log keys by origin. */
  known: KnownLogs;
  /** What this witness last cosigned for the request's origin; undefined when never. */
  state: WitnessState | undefined;
  /** The request: raw body (attacker-controlled) or parseAddCheckpoint's result. */
  req: string | Uint8Array | AddCheckpointRequest;
  /** The witness's cosignature/v1 signer (its clock stamps the cosignature). */
  signer: NoteSigner;
  /**
   * This witness's cosignature of the checkpoint it last cosigned, and that checkpoint's exact text: a
   * request for the same text (same size, same root) is answered with it rather than a new signature,
   * so asking a witness again costs no signing and yields the same line.
   */
  previous?: { text: string; cosignature: NoteSignature };
}

export interface AddCheckpointResult {
  /** The 200 body: the witness's cosignature line(s). */
  cosignatureLines: string;
  /** The cosignature, to append to the note (appendSignatures). */
  cosignature: NoteSignature;
  /** The state to record, atomically with the check of `state`. */
  next: WitnessState;
  /** The verified checkpoint and its exact text. */
  checkpoint: Checkpoint;
  text: string;
}

// ---- the checklist: each step throws a WitnessError or returns what it proved ----

function parseRequest(req: AddCheckpointInput['req']): AddCheckpointRequest {
  if (typeof req === 'string' || req instanceof Uint8Array) {
    try {
      return parseAddCheckpoint(req);
    } catch (cause) {
      if (isGovfedError(cause, 'ERR_MALFORMED_WITNESS_REQUEST')) {
        throw new WitnessError('ERR_MALFORMED_WITNESS_REQUEST', cause.message, { cause });
      }
      throw cause;
    }
  }
  return req;
}

/** 404: the origin must be one this witness trusts keys for. */
export function trustedKeysFor(known: KnownLogs, origin: string): readonly NoteVerifier[] {
  const keys = known.get(origin);
  if (keys === undefined || keys.length === 0) {
    throw new WitnessError('ERR_UNKNOWN_ORIGIN', `unknown log origin ${JSON.stringify(origin.slice(0, 200))}`);
  }
  return keys;
}

/** 403: a signature by a trusted key verifies, and none by a trusted key fails. Returns the text. */
export function checkLogSignature(note: string, keys: readonly NoteVerifier[]): string {
  try {
    return openNote(note, keys).text;
  } catch (cause) {
    if (isGovfedError(cause, 'ERR_NO_VERIFIED_SIGNATURE') || isGovfedError(cause, 'ERR_BAD_SIGNATURE')) {
      throw new WitnessError('ERR_UNTRUSTED_CHECKPOINT', 'no valid signature by a trusted key of the origin', {
        cause,
      });
    }
    if (isGovfedError(cause, 'ERR_MALFORMED_NOTE')) {
      throw new WitnessError('ERR_MALFORMED_WITNESS_REQUEST', 'checkpoint note is malformed', { cause });
    }
    throw cause;
  }
}

/** 400 then 409: old <= checkpoint size, and old == the size last cosigned (0 when never). */
export function checkOldSize(oldSize: number, checkpointSize: number, state: WitnessState | undefined): void {
  if (oldSize > checkpointSize) {
    throw new WitnessError('ERR_OLD_SIZE_TOO_LARGE', `old size ${oldSize} > checkpoint size ${checkpointSize}`);
  }
  const recordedSize = state?.size ?? 0;
  if (oldSize !== recordedSize) {
    throw new WitnessError('ERR_OLD_SIZE_MISMATCH', `old size ${oldSize} is not the cosigned size ${recordedSize}`, {
      recordedSize,
    });
  }
}

/** 422 then 409: the proof leads from the recorded tree to the checkpoint's; same size, same root. */
export function checkConsistency(
  oldSize: number,
  proof: readonly Uint8Array[],
  checkpoint: Checkpoint,
  state: WitnessState | undefined,
): void {
  const oldRoot = state === undefined || oldSize === 0 ? EMPTY_ROOT : state.rootHash;
  if (oldSize === checkpoint.size) {
    if (proof.length !== 0) {
      throw new WitnessError('ERR_CONSISTENCY_FAILED', 'same size: the proof must be empty', { checkpoint });
    }
    if (!equalBytes(oldRoot, checkpoint.rootHash)) {
      throw new WitnessError('ERR_ROOT_CONFLICT', `size ${oldSize} was cosigned with another root hash`, {
        checkpoint,
      });
    }
    return;
  }
  try {
    verifyConsistency(oldSize, checkpoint.size, proof, oldRoot, checkpoint.rootHash);
  } catch (cause) {
    throw new WitnessError('ERR_CONSISTENCY_FAILED', `consistency proof ${oldSize} -> ${checkpoint.size} fails`, {
      cause,
      checkpoint,
    });
  }
}

/** 200: the cosignature on the exact checkpoint text. */
function cosign(text: string, signer: NoteSigner): NoteSignature {
  return { name: signer.name, keyHash: signer.keyHash, signature: signer.sign(utf8(text)) };
}

/**
 * Decides an add-checkpoint request. Returns the cosignature and the state to record, or throws a
 * WitnessError (`status`: the HTTP status; `recordedSize` for the 409 size body). Other errors (a
 * broken signer, ambiguous trusted keys) are the caller's bugs: answer 500.
 */
export function addCheckpoint(input: AddCheckpointInput): AddCheckpointResult {
  const req = parseRequest(input.req);
  const keys = trustedKeysFor(input.known, req.checkpoint.origin);
  const text = checkLogSignature(req.note, keys);
  const checkpoint = req.checkpoint; // parsed from the same text the signature covers
  checkOldSize(req.oldSize, checkpoint.size, input.state);
  checkConsistency(req.oldSize, req.proof, checkpoint, input.state);
  const prev = input.previous;
  const same =
    prev !== undefined &&
    prev.text === text &&
    prev.cosignature.name === input.signer.name &&
    prev.cosignature.keyHash === input.signer.keyHash;
  const cosignature = same ? prev.cosignature : cosign(text, input.signer);
  return {
    cosignatureLines: formatSignatureLine(cosignature),
    cosignature,
    next: { size: checkpoint.size, rootHash: checkpoint.rootHash.slice() },
    checkpoint,
    text,
  };
}

/**
 * KnownLogs from log verifier keys (C2SP vkeys, Ed25519): origin = the key's name, as for govfed logs
 * (and most C2SP logs). Several keys may share an origin (key rotation). Throws
 * ERR_MALFORMED_VERIFIER_KEY for a bad key.
 */
export function knownLogsFromKeys(vkeys: Iterable<string>, opts: VerifyOptions = {}): Map<string, NoteVerifier[]> {
  const known = new Map<string, NoteVerifier[]>();
  const seen = new Set<string>();
  for (const vkey of vkeys) {
    const v = parseLogKey(vkey, opts);
    if (seen.has(v.vkey)) continue;
    seen.add(v.vkey);
    known.set(v.name, [...(known.get(v.name) ?? []), v]);
  }
  return known;
}
