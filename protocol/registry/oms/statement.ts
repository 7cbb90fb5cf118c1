/**
 * The OMS in-toto statement: what a model signature says about the model. Parsing only — call it on a
 * payload whose signature has been verified (it is attacker-controlled until then, and only as good as
 * its signer after).
 *
 * v1.0 (predicateType https://model_signing/signature/v1.0), what the reference tool writes since 1.0:
 *   {"_type": "https://in-toto.io/Statement/v1",
 *    "subject": [{"name": "<model dir name>", "digest": {"sha256": "<root digest>"}}],     exactly one
 *    "predicateType": "https://model_signing/signature/v1.0",
 *    "predicate": {"serialization": {"method": "files", "hash_type": "sha256", "allow_symlinks": false,
 *                                    "ignore_paths": ["model.sig", ".git", …]},           optional
 *                  "resources": [{"name": "d0/f00", "algorithm": "sha256", "digest": "<hex>"}, …]}}
 *   The subject digest must be SHA-256 over the resources' digests in the order listed (digest.ts).
 *   Other predicate fields are ignored, as the format says a v1.0 verifier must.
 *
 * v0.2 (predicateType https://model_signing/Digests/v0.1), the layout before 1.0: every file is a subject
 *   ({"name": "<path>", "digest": {"sha256": "<hex>"}}) and there is no root digest and no serialization
 *   block; the reference verifies it for compatibility and so do we (`layout: 'v0.2'`). Its model digest is
 *   computed here from the subjects, sorted.
 *
 * Refusals: ERR_MALFORMED_STATEMENT (shape, a second subject, a bad name or digest, a root that is not
 * the resources'), ERR_PREDICATE_TYPE_MISMATCH (another predicate type), ERR_UNSUPPORTED_ALGORITHM
 * (serialization "shards", or a hash other than sha256: valid OMS that govfed does not implement).
 */
import { fromUtf8, toHex } from '../../encoding/bytes.ts';
import { parseStrictJson } from '../../encoding/strict-json.ts';
import { GovfedError } from '../../errors.ts';
import {
  checkResourceName,
  checkResources,
  compareResourceNames,
  formatDigest,
  type OmsResource,
  rootDigestInOrder,
} from './digest.ts';

export const OMS_PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
export const OMS_PREDICATE_TYPE_V02 = 'https://model_signing/Digests/v0.1';
export const INTOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** Most resources one signature may list (a bundle is bounded too). */
export const MAX_OMS_RESOURCES = 50_000;
export const MAX_IGNORE_PATHS = 1024;

export interface OmsStatement {
  layout: 'v1.0' | 'v0.2';
  /** The subject's name (v1.0: the model directory's name, informative only); '' for v0.2. */
  modelName: string;
  /** `sha256:<hex>`: the subject digest (v1.0), or the root computed from the subjects (v0.2). */
  digest: string;
  /** The signed files, as listed. */
  resources: OmsResource[];
  /** Paths the signer ignored (relative to the model), honoured again by the verifier. */
  ignorePaths: string[];
  allowSymlinks: boolean;
}

/** Parses a verified DSSE payload into the statement it carries. */
export function parseOmsStatement(payload: Uint8Array): OmsStatement {
  let value: unknown;
  try {
    value = parseStrictJson(fromUtf8(payload), 64);
  } catch (cause) {
    throw new GovfedError('ERR_MALFORMED_STATEMENT', 'statement is not valid JSON', { cause });
  }
  const s = object(value, 'statement');
  if (s._type !== INTOTO_STATEMENT_TYPE) bad(`_type: expected ${JSON.stringify(INTOTO_STATEMENT_TYPE)}`);
  if (!Array.isArray(s.subject) || s.subject.length === 0) bad('subject: expected a non-empty array');
  if (s.predicateType === OMS_PREDICATE_TYPE_V02) return parseV02(s.subject);
  if (s.predicateType !== OMS_PREDICATE_TYPE) {
    throw new GovfedError(
      'ERR_PREDICATE_TYPE_MISMATCH',
      `predicateType ${JSON.stringify(s.predicateType)}, expected ${JSON.stringify(OMS_PREDICATE_TYPE)}`,
    );
  }
  if (s.subject.length !== 1) bad(`subject: expected exactly one subject, got ${s.subject.length}`);
  const subject = object(s.subject[0], 'subject[0]');
  if (typeof subject.name !== 'string' || subject.name.length > 1024) bad('subject[0].name: expected a string');
  const root = sha256Of(object(subject.digest, 'subject[0].digest'), 'subject[0].digest');
  const predicate = object(s.predicate, 'predicate');
  const ser = parseSerialization(object(predicate.serialization, 'predicate.serialization'));
  if (!Array.isArray(predicate.resources) || predicate.resources.length === 0) {
    bad('predicate.resources: expected a non-empty array (a signature over no file signs nothing)');
  }
  if (predicate.resources.length > MAX_OMS_RESOURCES) bad(`predicate.resources: more than ${MAX_OMS_RESOURCES}`);
  const resources = predicate.resources.map((r, i) => {
    const o = object(r, `predicate.resources[${i}]`);
    if (o.algorithm !== 'sha256') {
      throw new GovfedError(
        'ERR_UNSUPPORTED_ALGORITHM',
        `predicate.resources[${i}].algorithm: only sha256 is supported`,
      );
    }
    return { name: o.name as string, digest: o.digest as string };
  });
  checkResources(resources, 'ERR_MALFORMED_STATEMENT');
  const computed = toHex(rootDigestInOrder(resources));
  if (computed !== root) bad(`subject digest ${root} is not the digest of the listed resources (${computed})`);
  return { layout: 'v1.0', modelName: subject.name, digest: `sha256:${root}`, resources, ...ser };
}

function parseSerialization(ser: Record<string, unknown>): { ignorePaths: string[]; allowSymlinks: boolean } {
  if (ser.method !== 'files') {
    throw new GovfedError(
      'ERR_UNSUPPORTED_ALGORITHM',
      `serialization.method ${JSON.stringify(ser.method)}: only "files" is supported`,
    );
  }
  if (ser.hash_type !== 'sha256') {
    throw new GovfedError(
      'ERR_UNSUPPORTED_ALGORITHM',
      `serialization.hash_type ${JSON.stringify(ser.hash_type)}: only "sha256" is supported`,
    );
  }
  if (typeof ser.allow_symlinks !== 'boolean') bad('serialization.allow_symlinks: expected a boolean');
  const ignorePaths: string[] = [];
  if (ser.ignore_paths !== undefined) {
    if (!Array.isArray(ser.ignore_paths) || ser.ignore_paths.length > MAX_IGNORE_PATHS) {
      bad(`serialization.ignore_paths: expected an array of at most ${MAX_IGNORE_PATHS} paths`);
    }
    for (const p of ser.ignore_paths) {
      const path = checkResourceName(stripSlash(p), 'ERR_MALFORMED_STATEMENT');
      if (path === '.') bad('serialization.ignore_paths: "." would ignore the whole model');
      ignorePaths.push(path);
    }
  }
  return { ignorePaths, allowSymlinks: ser.allow_symlinks };
}

/** The reference writes directory ignores as given ('.git/' in some versions): one trailing '/' is dropped. */
function stripSlash(p: unknown): unknown {
  return typeof p === 'string' && p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

function parseV02(subjects: unknown[]): OmsStatement {
  if (subjects.length > MAX_OMS_RESOURCES) bad(`subject: more than ${MAX_OMS_RESOURCES}`);
  const resources = subjects.map((v, i) => {
    const o = object(v, `subject[${i}]`);
    return {
      name: o.name as string,
      digest: sha256Of(object(o.digest, `subject[${i}].digest`), `subject[${i}].digest`),
    };
  });
  checkResources(resources, 'ERR_MALFORMED_STATEMENT');
  const sorted = [...resources].sort((a, b) => compareResourceNames(a.name, b.name));
  return {
    layout: 'v0.2',
    modelName: '',
    digest: formatDigest(rootDigestInOrder(sorted)),
    resources,
    ignorePaths: [],
    allowSymlinks: false,
  };
}

function sha256Of(digest: Record<string, unknown>, what: string): string {
  const v = digest.sha256;
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) bad(`${what}.sha256: expected 64 lowercase hex digits`);
  return v;
}

function object(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`${what}: expected a JSON object`);
  return v as Record<string, unknown>;
}

function bad(message: string): never {
  throw new GovfedError('ERR_MALFORMED_STATEMENT', message);
}
