/**
 * in-toto Statement v1 (github.com/in-toto/attestation, spec/v1/statement.md), signed in a DSSE
 * envelope of type application/vnd.in-toto+json.
 *
 *   {"_type":"https://in-toto.io/Statement/v1","predicate":{...},"predicateType":"<URI>",
 *    "subject":[{"digest":{"sha256":"<hex>"},"name":"<name>"}]}
 *
 * govfed's byte form is the RFC 8785 (JCS) serialisation, and parseStatement accepts only that form:
 * one statement has one byte string, and JSON that different parsers could read differently
 * (duplicate keys, say) never gets past the parser. The checks follow the spec's schema:
 *   - `_type` is exactly STATEMENT_TYPE; `predicateType` is a URI; `predicate`, if set, an object;
 *   - `subject` is a non-empty array of resource descriptors, each with a non-empty `digest`;
 *   - digest values of the spec's hex algorithms are lowercase hex, of the exact length where the
 *     algorithm fixes one (sha256: 64, sha512: 128, ...); other algorithm names are kept as opaque
 *     non-empty strings (the spec says consumers ignore algorithms they do not know);
 *   - the descriptor fields name, uri, content, downloadLocation, mediaType are strings and
 *     annotations an object. Fields the spec does not define are kept but not interpreted (the spec
 *     says consumers MUST ignore unrecognised fields).
 * Every rejection is ERR_MALFORMED_STATEMENT.
 */

import { canonicalBytes, parseCanonical } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/sha256.ts';
import { type DsseSigner, type Envelope, signEnvelope, type TrustedKey, verifyEnvelope } from '../dsse/index.ts';
import { assertBytes, toHex } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** Largest statement parseStatement reads (the envelope that carries it is bounded too). */
export const MAX_STATEMENT_BYTES = 1 << 20;

/** Algorithm name → lowercase hex digest. */
export type DigestSet = Record<string, string>;

export interface ResourceDescriptor {
  name?: string;
  digest: DigestSet;
  uri?: string;
  annotations?: Record<string, unknown>;
}

export interface Statement<P = unknown> {
  _type: typeof STATEMENT_TYPE;
  subject: ResourceDescriptor[];
  predicateType: string;
  predicate?: P;
}

export interface VerifyStatementOptions extends VerifyOptions {
  trustedKeys: readonly TrustedKey[];
  threshold: number;
  /** When set, the statement's predicateType must equal it (ERR_PREDICATE_TYPE_MISMATCH). */
  predicateType?: string;
  /**
   * When set, each of these digest sets must match a subject (ERR_SUBJECT_MISMATCH). A subject
   * matches when they share at least one of sha256 / sha512 and agree on every one they share.
   */
  expectedDigests?: readonly DigestSet[];
}

export interface VerifiedStatement {
  statement: Statement;
  /** Keyids of the distinct trusted keys that signed (see verifyEnvelope). */
  signedBy: string[];
}

/** Digest lengths (hex characters) of the spec's fixed-size hex algorithms. */
const HEX_DIGEST_LENGTHS = new Map<string, number>([
  ['sha256', 64],
  ['sha224', 56],
  ['sha384', 96],
  ['sha512', 128],
  ['sha512_224', 56],
  ['sha512_256', 64],
  ['sha3_224', 56],
  ['sha3_256', 64],
  ['sha3_384', 96],
  ['sha3_512', 128],
  ['sm3', 64],
  ['ripemd160', 40],
  ['sha1', 40],
  ['md5', 32],
]);
/** The spec's hex algorithms whose length varies (or is one of two, for git objects). */
const HEX_DIGEST_ANY_LENGTH = new Set([
  'shake128',
  'shake256',
  'blake2b',
  'blake2s',
  'gost',
  'dirHash',
  'gitCommit',
  'gitTree',
  'gitBlob',
  'gitTag',
]);
/** The algorithms verifyStatement matches subjects by. */
const MATCH_ALGORITHMS = ['sha256', 'sha512'] as const;

const LOWER_HEX = /^[0-9a-f]+$/;
/** RFC 3986 URI: a scheme, then only URI characters (percent escapes checked separately). */
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;
const MAX_URI_LENGTH = 2048;

/** A statement about `subject`, checked against the same rules as parseStatement. */
export function makeStatement<P>(subject: ResourceDescriptor[], predicateType: string, predicate?: P): Statement<P> {
  const s: Statement<P> = { _type: STATEMENT_TYPE, subject, predicateType };
  if (predicate !== undefined) s.predicate = predicate;
  checkStatement(s, ERR_INPUT);
  return s;
}

/** A subject naming `bytes` by their SHA-256. */
export function subjectForBytes(name: string, bytes: Uint8Array): ResourceDescriptor {
  if (typeof name !== 'string') throw new GovfedError('ERR_INVALID_INPUT', 'name: expected a string');
  assertBytes(bytes, undefined, 'bytes');
  return { name, digest: { sha256: toHex(sha256(bytes)) } };
}

/** The signed byte form: RFC 8785 canonical JSON, UTF-8. */
export function statementBytes(s: Statement): Uint8Array {
  checkStatement(s, ERR_INPUT);
  return canonicalBytes(s);
}

/**
 * Parses a statement from a verified DSSE payload (attacker-controlled until its signatures are
 * checked, and its content is still only as good as its signers).
 */
export function parseStatement(bytes: Uint8Array): Statement {
  assertBytes(bytes, undefined, 'statement bytes');
  let value: unknown;
  try {
    value = parseCanonical(bytes, MAX_STATEMENT_BYTES);
  } catch (cause) {
    throw new GovfedError('ERR_MALFORMED_STATEMENT', 'statement is not RFC 8785 canonical JSON', { cause });
  }
  return checkStatement(value, ERR_MALFORMED);
}

/** A DSSE envelope of type INTOTO_PAYLOAD_TYPE carrying statementBytes(s). */
export function signStatement(s: Statement, signers: readonly DsseSigner[]): Envelope {
  return signEnvelope(INTOTO_PAYLOAD_TYPE, statementBytes(s), signers);
}

/**
 * Verifies an in-toto envelope (attacker-controlled): the DSSE threshold check with payloadType
 * pinned to INTOTO_PAYLOAD_TYPE, then — and only then — the statement parse, then the optional
 * predicateType and subject checks.
 */
export function verifyStatement(env: Envelope, opts: VerifyStatementOptions): VerifiedStatement {
  const expected = checkExpectedDigests(opts.expectedDigests);
  const { payload, signedBy } = verifyEnvelope(env, {
    trustedKeys: opts.trustedKeys,
    threshold: opts.threshold,
    payloadType: INTOTO_PAYLOAD_TYPE,
    verify: opts.verify,
  });
  const statement = parseStatement(payload);
  checkPredicateType(statement, opts.predicateType);
  checkSubjects(statement, expected);
  return { statement, signedBy };
}

// --- checks -------------------------------------------------------------------------------------

type Fail = (message: string) => never;
const ERR_MALFORMED: Fail = (message) => {
  throw new GovfedError('ERR_MALFORMED_STATEMENT', message);
};
const ERR_INPUT: Fail = (message) => {
  throw new GovfedError('ERR_INVALID_INPUT', message);
};

function checkStatement(v: unknown, fail: Fail): Statement {
  const s = checkObject(v, 'statement', fail);
  if (s._type !== STATEMENT_TYPE) fail(`_type: expected ${JSON.stringify(STATEMENT_TYPE)}`);
  if (!Array.isArray(s.subject) || s.subject.length === 0) fail('subject: expected a non-empty array');
  s.subject.forEach((d, i) => {
    checkDescriptor(d, `subject[${i}]`, fail);
  });
  if (typeof s.predicateType !== 'string' || !isUri(s.predicateType)) fail('predicateType: expected a URI');
  if (s.predicate !== undefined) checkObject(s.predicate, 'predicate', fail);
  return s as unknown as Statement;
}

function checkDescriptor(v: unknown, path: string, fail: Fail): void {
  const d = checkObject(v, path, fail);
  checkDigestSet(d.digest, `${path}.digest`, fail);
  for (const field of ['name', 'uri', 'content', 'downloadLocation', 'mediaType']) {
    if (d[field] !== undefined && typeof d[field] !== 'string') fail(`${path}.${field}: expected a string`);
  }
  if (d.annotations !== undefined) checkObject(d.annotations, `${path}.annotations`, fail);
}

function checkDigestSet(v: unknown, path: string, fail: Fail): DigestSet {
  const set = checkObject(v, path, fail);
  const entries = Object.entries(set);
  if (entries.length === 0) fail(`${path}: expected at least one digest`);
  for (const [alg, value] of entries) {
    if (alg.length === 0) fail(`${path}: empty algorithm name`);
    if (typeof value !== 'string' || value.length === 0) fail(`${path}.${alg}: expected a non-empty string`);
    const len = HEX_DIGEST_LENGTHS.get(alg);
    if ((len !== undefined || HEX_DIGEST_ANY_LENGTH.has(alg)) && !LOWER_HEX.test(value)) {
      fail(`${path}.${alg}: expected lowercase hex`);
    }
    if (len !== undefined && value.length !== len) {
      fail(`${path}.${alg}: expected ${len} hex characters, got ${value.length}`);
    }
  }
  return set as DigestSet;
}

function checkObject(v: unknown, path: string, fail: Fail): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${path}: expected a JSON object`);
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) fail(`${path}: expected a plain object`);
  return v as Record<string, unknown>;
}

function isUri(s: string): boolean {
  return s.length <= MAX_URI_LENGTH && URI.test(s) && !BAD_PERCENT.test(s);
}

function checkExpectedDigests(expected: readonly DigestSet[] | undefined): readonly DigestSet[] {
  if (expected === undefined) return [];
  if (!Array.isArray(expected)) throw new GovfedError('ERR_INVALID_INPUT', 'expectedDigests: expected an array');
  expected.forEach((set, i) => {
    checkDigestSet(set, `expectedDigests[${i}]`, ERR_INPUT);
    if (!MATCH_ALGORITHMS.some((alg) => Object.hasOwn(set, alg))) {
      throw new GovfedError('ERR_INVALID_INPUT', `expectedDigests[${i}]: needs a sha256 or sha512 digest`);
    }
  });
  return expected;
}

function checkPredicateType(s: Statement, expected: string | undefined): void {
  if (expected !== undefined && s.predicateType !== expected) {
    throw new GovfedError(
      'ERR_PREDICATE_TYPE_MISMATCH',
      `predicateType ${JSON.stringify(s.predicateType)}, expected ${JSON.stringify(expected)}`,
    );
  }
}

function checkSubjects(s: Statement, expected: readonly DigestSet[]): void {
  expected.forEach((want, i) => {
    if (!s.subject.some((d) => digestsMatch(want, d.digest))) {
      throw new GovfedError('ERR_SUBJECT_MISMATCH', `expectedDigests[${i}] matches no subject of the statement`);
    }
  });
}

/** True when the sets share at least one match algorithm and agree on every one they share. */
function digestsMatch(a: DigestSet, b: DigestSet): boolean {
  let shared = 0;
  for (const alg of MATCH_ALGORITHMS) {
    if (!Object.hasOwn(a, alg) || !Object.hasOwn(b, alg)) continue;
    if (a[alg] !== b[alg]) return false;
    shared++;
  }
  return shared > 0;
}
