/**
 * Reading a decision export (protocol/audit/export.ts, JSON Lines) from a file or stdin a line at a time,
 * each line bounded, and checking it with protocol/'s DecisionExportVerifier — for `govfed verify` and
 * for `govfed decisions export`, which checks the file it wrote before it puts it in place.
 */

import { createReadStream } from 'node:fs';
import { opensslVerify } from '../node/crypto/ed25519.ts';
import {
  DecisionExportVerifier,
  EXPORT_FORMAT,
  MAX_EXPORT_LINE_BYTES,
  type VerifiedExport,
} from '../protocol/audit/index.ts';
import { GovfedError } from '../protocol/errors.ts';

/** The first bytes of every export (the writer puts `format` first; the format is one line per object). */
export const EXPORT_PREFIX = `{"format":"${EXPORT_FORMAT}"`;

const td = new TextDecoder('utf-8', { fatal: true });

function malformed(message: string, cause?: unknown): GovfedError<string> {
  return new GovfedError('ERR_MALFORMED_EXPORT', message, cause === undefined ? undefined : { cause });
}

function decodeLine(bytes: Uint8Array, n: number): string {
  try {
    return td.decode(bytes);
  } catch (cause) {
    throw malformed(`line ${n} is not UTF-8`, cause);
  }
}

/** The lines of `chunks` (without "\n"), each at most `max` bytes; the input must end with "\n". */
export async function* boundedLines(chunks: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<string> {
  let pending: Buffer = Buffer.alloc(0);
  let n = 0;
  for await (const chunk of chunks) {
    let buf = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, chunk]);
    for (;;) {
      const nl = buf.indexOf(0x0a);
      if (nl < 0) break;
      n++;
      if (nl > max) throw malformed(`line ${n} is longer than ${max} bytes`);
      yield decodeLine(buf.subarray(0, nl), n);
      buf = buf.subarray(nl + 1);
    }
    if (buf.length > max) throw malformed(`line ${n + 1} is longer than ${max} bytes`);
    pending = Buffer.from(buf);
  }
  if (pending.length > 0) throw malformed('the file does not end with a newline (cut short?)');
}

/** Checks an export read from `chunks`; throws the failed step's GovfedError. */
export async function verifyExportStream(
  chunks: AsyncIterable<Uint8Array>,
  opts: { verifierKey?: string } = {},
): Promise<VerifiedExport> {
  let verifier: DecisionExportVerifier | undefined;
  for await (const line of boundedLines(chunks, MAX_EXPORT_LINE_BYTES)) {
    if (verifier === undefined) verifier = DecisionExportVerifier.open(line, { ...opts, verify: opensslVerify });
    else verifier.add(line);
  }
  if (verifier === undefined) throw malformed('the file is empty');
  return verifier.finish();
}

/**
 * FILE ('-': stdin) as a stream of chunks, with whether it is a decision export (its first bytes are
 * EXPORT_PREFIX). The chunks still include the bytes looked at.
 */
export async function openInput(file: string): Promise<{ isExport: boolean; chunks: AsyncIterable<Uint8Array> }> {
  const source: AsyncIterable<Uint8Array> = file === '-' ? process.stdin : createReadStream(file);
  const it = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let n = 0;
  let done = false;
  while (n < EXPORT_PREFIX.length) {
    const r = await it.next();
    if (r.done === true) {
      done = true;
      break;
    }
    head.push(r.value);
    n += r.value.length;
  }
  const first = Buffer.concat(head);
  const isExport = first.subarray(0, EXPORT_PREFIX.length).toString('latin1') === EXPORT_PREFIX;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (first.length > 0) yield first;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      yield r.value;
    }
  }
  return { isExport, chunks: chunks() };
}

/** At most `max` bytes of `chunks`. */
export async function readCapped(chunks: AsyncIterable<Uint8Array>, max: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of chunks) {
    parts.push(c);
    n += c.length;
    if (n >= max) break;
  }
  return Buffer.concat(parts).subarray(0, max);
}
