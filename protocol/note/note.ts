/**
 * Signed notes (c2sp.org/signed-note, the format of Go's golang.org/x/mod/sumdb/note).
 *
 *     <text, ending in "\n">
 *     "\n"
 *     "— " <key name> " " base64(4-byte big-endian key ID || signature) "\n"     (one or more lines)
 *
 * The em dash is U+2014 (UTF-8 E2 80 94). The signed message is the text bytes including the final
 * newline but not the separating blank line; the text is separated from the signatures by the LAST
 * blank line. The whole note must be well-formed UTF-8 without ASCII control characters other than
 * "\n". Parsing is of attacker-controlled input: notes are capped at MAX_NOTE_BYTES and
 * MAX_SIGNATURES, and base64 must be canonical.
 *
 * Verification follows the spec and Go: signatures whose (name, key ID) is not a known verifier are
 * ignored (returned as `unverified`); a known one that fails is an error (ERR_BAD_SIGNATURE); a note
 * with no verified signature is an error (ERR_NO_VERIFIED_SIGNATURE).
 */
import { assertBytes, fromBase64, toBase64, utf8 } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { formatKeyHash } from './key-id.ts';
import { isValidKeyName } from './key-name.ts';
import type { NoteSigner, NoteVerifier } from './keys.ts';

/** Largest note we parse or produce, in UTF-8 bytes. */
export const MAX_NOTE_BYTES = 1 << 20;
/** Most signature lines we parse or produce (the spec requires at least 16; Go uses 100). */
export const MAX_SIGNATURES = 100;
/** Em dash (U+2014) and space: the start of every signature line. */
export const SIGNATURE_PREFIX = '\u2014 ';

/** One signature line of a note. */
export interface NoteSignature {
  name: string;
  /** The key ID: first 4 bytes of the decoded base64, big-endian. */
  keyHash: number;
  /** The signature bytes, without the 4-byte key ID. */
  signature: Uint8Array;
}

export interface ParsedNote {
  /** The signed text, ending in "\n". */
  text: string;
  /** Every signature line, in order (duplicates included). */
  signatures: NoteSignature[];
}

export interface OpenedNote {
  text: string;
  /** Signatures by known verifiers, each verified (one per name+key ID). */
  verified: NoteSignature[];
  /** Signatures by unknown keys, not verified (identical lines once). */
  unverified: NoteSignature[];
}

// Strict UTF-8 that keeps a leading U+FEFF: a decoder that silently dropped a BOM would verify a
// signature over different bytes than it hands back as the text.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const FORBIDDEN_RE = /[\u0000-\u0009\u000b-\u001f]|\p{Cs}/u; // control chars but "\n"; lone surrogates

function malformed(message: string, cause?: unknown): GovfedError {
  return new GovfedError('ERR_MALFORMED_NOTE', message, cause === undefined ? undefined : { cause });
}

/**
 * True when `text` may be the text of a note: well-formed, no control characters but "\n", and
 * ending in "\n". (Does not check the size.)
 */
export function isValidNoteText(text: unknown): text is string {
  return typeof text === 'string' && text.endsWith('\n') && !FORBIDDEN_RE.test(text);
}

/** Attacker-controlled bytes or string -> a bounded, well-formed string without forbidden characters. */
function decodeNote(note: string | Uint8Array): string {
  let s: string;
  if (note instanceof Uint8Array) {
    if (note.length > MAX_NOTE_BYTES) throw malformed(`note larger than ${MAX_NOTE_BYTES} bytes`);
    try {
      s = decoder.decode(note);
    } catch (cause) {
      throw malformed('note is not valid UTF-8', cause);
    }
  } else if (typeof note === 'string') {
    // UTF-8 never has fewer bytes than UTF-16 code units, so this bounds the encoding below.
    if (note.length > MAX_NOTE_BYTES) throw malformed(`note larger than ${MAX_NOTE_BYTES} bytes`);
    s = note;
  } else {
    throw new GovfedError('ERR_INVALID_INPUT', 'note: expected string or Uint8Array');
  }
  if (FORBIDDEN_RE.test(s)) throw malformed('note contains control characters or invalid Unicode');
  if (typeof note === 'string' && utf8(s).length > MAX_NOTE_BYTES) {
    throw malformed(`note larger than ${MAX_NOTE_BYTES} bytes`);
  }
  return s;
}

/** Splits at the last blank line: text (with its final "\n") and the signature block. */
function splitNote(s: string): { text: string; lines: string[] } {
  const split = s.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const text = s.slice(0, split + 1);
  const block = s.slice(split + 2);
  if (block.length === 0) throw malformed('no signature lines');
  if (!block.endsWith('\n')) throw malformed('signature block does not end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed(`more than ${MAX_SIGNATURES} signatures`);
  return { text, lines };
}

/** One line "— name base64(keyID || sig)" (without its "\n"). */
function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) throw malformed('signature line does not start with "— "');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw malformed('signature line has no signature');
  const name = rest.slice(0, space);
  if (!isValidKeyName(name)) throw malformed('signature line has an invalid key name');
  let raw: Uint8Array;
  try {
    raw = fromBase64(rest.slice(space + 1));
  } catch (cause) {
    throw malformed('signature is not canonical base64', cause);
  }
  if (raw.length < 5) throw malformed('signature shorter than key ID + 1 byte');
  const keyHash =
    (((raw[0] as number) << 24) | ((raw[1] as number) << 16) | ((raw[2] as number) << 8) | (raw[3] as number)) >>> 0;
  return { name, keyHash, signature: raw.slice(4) };
}

/** Parses the structure of a signed note (attacker-controlled input). Verifies nothing. */
export function parseNote(note: string | Uint8Array): ParsedNote {
  const { text, lines } = splitNote(decodeNote(note));
  return { text, signatures: lines.map(parseSignatureLine) };
}

const idOf = (name: string, hash: number): string => `${name}+${formatKeyHash(hash)}`;

/** Known verifiers by name+key ID. Two verifiers with the same pair are ambiguous (as in Go). */
function indexVerifiers(verifiers: readonly NoteVerifier[]): Map<string, NoteVerifier> {
  const index = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const id = idOf(v.name, v.keyHash);
    if (index.has(id)) throw new GovfedError('ERR_INVALID_INPUT', `ambiguous verifiers for key ${id}`);
    index.set(id, v);
  }
  return index;
}

function checkSignature(v: NoteVerifier, message: Uint8Array, sig: NoteSignature): void {
  let ok = false;
  try {
    ok = v.verify(message, sig.signature);
  } catch (cause) {
    throw new GovfedError('ERR_BAD_SIGNATURE', `verifier for ${idOf(sig.name, sig.keyHash)} failed`, { cause });
  }
  if (!ok) throw new GovfedError('ERR_BAD_SIGNATURE', `signature by ${idOf(sig.name, sig.keyHash)} does not verify`);
}

/**
 * Parses a signed note and verifies the signatures of the known `verifiers`. Returns the text, the
 * verified signatures and the ignored (unknown-key) ones.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const { text, signatures } = parseNote(note);
  const known = indexVerifiers(verifiers);
  const message = utf8(text);
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seenKeys = new Set<string>();
  const seenUnknownLines = new Set<string>();
  for (const sig of signatures) {
    const id = idOf(sig.name, sig.keyHash);
    const v = known.get(id);
    if (v === undefined) {
      const line = formatSignatureLine(sig);
      if (!seenUnknownLines.has(line)) unverified.push(sig);
      seenUnknownLines.add(line);
      continue;
    }
    if (seenKeys.has(id)) continue; // one signature per known key, as in Go: later ones are dropped
    seenKeys.add(id);
    checkSignature(v, message, sig);
    verified.push(sig);
  }
  if (verified.length === 0) throw new GovfedError('ERR_NO_VERIFIED_SIGNATURE', 'no signature by a known key');
  return { text, verified, unverified };
}

/** "— name base64(keyID || signature)\n". */
export function formatSignatureLine(sig: NoteSignature): string {
  if (!isValidKeyName(sig.name)) throw new GovfedError('ERR_INVALID_INPUT', 'signature: invalid key name');
  if (!Number.isInteger(sig.keyHash) || sig.keyHash < 0 || sig.keyHash > 0xffffffff) {
    throw new GovfedError('ERR_INVALID_INPUT', 'signature: key hash must be a uint32');
  }
  assertBytes(sig.signature, undefined, 'signature');
  if (sig.signature.length === 0) throw new GovfedError('ERR_INVALID_INPUT', 'signature: empty');
  const raw = new Uint8Array(4 + sig.signature.length);
  new DataView(raw.buffer).setUint32(0, sig.keyHash);
  raw.set(sig.signature, 4);
  return `${SIGNATURE_PREFIX}${sig.name} ${toBase64(raw)}\n`;
}

function assertNoteSize(note: string): string {
  if (utf8(note).length > MAX_NOTE_BYTES) throw malformed(`note larger than ${MAX_NOTE_BYTES} bytes`);
  return note;
}

/** Signs `text` (which must end in "\n") with each signer, in order. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (!isValidNoteText(text)) {
    throw malformed('note text must end in "\\n" and contain no control characters or invalid Unicode');
  }
  if (signers.length === 0 || signers.length > MAX_SIGNATURES) {
    throw new GovfedError('ERR_INVALID_INPUT', `need 1 to ${MAX_SIGNATURES} signers`);
  }
  const message = utf8(text);
  let lines = '';
  for (const s of signers) {
    lines += formatSignatureLine({ name: s.name, keyHash: s.keyHash, signature: s.sign(message) });
  }
  return assertNoteSize(`${text}\n${lines}`);
}

/**
 * Adds signature lines to a signed note (e.g. a witness adding its cosignature to a checkpoint).
 * Existing lines with the same name+key ID as a new one are replaced, as Go's note.Sign does. Checks
 * the structure of `note` only; it verifies nothing.
 */
export function appendSignatures(note: string | Uint8Array, sigs: readonly NoteSignature[]): string {
  const parsed = parseNote(note);
  const replaced = new Set(sigs.map((s) => idOf(s.name, s.keyHash)));
  const kept = parsed.signatures.filter((s) => !replaced.has(idOf(s.name, s.keyHash)));
  const all = [...kept, ...sigs];
  if (all.length > MAX_SIGNATURES) throw malformed(`more than ${MAX_SIGNATURES} signatures`);
  return assertNoteSize(`${parsed.text}\n${all.map(formatSignatureLine).join('')}`);
}
