/**
 * What every registry record names the same way (registrations, approvals, contracts, kill-switch and
 * deployment records): a model version `{org, name, version}` — checked strictly — and its digest, the
 * one subject of the record's in-toto statement.
 */
import { isPlainObject } from '../audit/fields.ts';
import { GovfedError } from '../errors.ts';

/** Model names and versions: 1..128 of `A-Z a-z 0-9 _ . -`, starting with a letter or digit. */
export const MODEL_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** Org names, as the charter's. */
export const MODEL_ORG_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface ModelRef {
  /** The org whose registry holds the model. */
  org: string;
  name: string;
  version: string;
}

/** `v` as a model reference: exactly {org, name, version}, each well-formed; else `bad(message)`. */
export function checkModelRef(v: unknown, bad: (message: string) => GovfedError): ModelRef {
  if (!isPlainObject(v)) throw bad('model: expected an object');
  for (const k of ['org', 'name', 'version']) if (!(k in v)) throw bad(`model: missing "${k}"`);
  for (const k of Object.keys(v)) {
    if (k !== 'org' && k !== 'name' && k !== 'version') throw bad(`model: unknown field "${k}"`);
  }
  if (typeof v.org !== 'string' || !MODEL_ORG_RE.test(v.org)) throw bad('model.org: expected an org name');
  if (typeof v.name !== 'string' || !MODEL_NAME_RE.test(v.name)) throw bad('model.name: expected a model name');
  if (typeof v.version !== 'string' || !MODEL_NAME_RE.test(v.version)) throw bad('model.version: expected a version');
  return { org: v.org, name: v.name, version: v.version };
}

/** The hex of a `sha256:<64 lowercase hex>` digest (ERR_INVALID_INPUT otherwise). */
export function digestHex(digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (m === null) throw new GovfedError('ERR_INVALID_INPUT', 'digest: expected sha256:<64 lowercase hex>');
  return m[1] as string;
}

/** The one in-toto subject of a record about `model` with `digest`: `NAME@VERSION` and its sha256. */
export function modelSubject(digest: string, model: ModelRef): { name: string; digest: { sha256: string } } {
  return { name: `${model.name}@${model.version}`, digest: { sha256: digestHex(digest) } };
}

/**
 * A person-signed record is about what the verifier holds: this federation, this model version, and its
 * digest as the statement's one subject, named NAME@VERSION (`mismatch(what)` otherwise).
 */
export function assertAbout(
  p: { federation: string; model: ModelRef },
  subject: readonly { name?: string; digest: Record<string, string> }[],
  ctx: { federation: string; model: ModelRef & { digest: string } },
  mismatch: (what: string) => GovfedError,
): void {
  if (p.federation !== ctx.federation) throw mismatch('made for another federation');
  const m = ctx.model;
  if (p.model.org !== m.org || p.model.name !== m.name || p.model.version !== m.version) {
    throw mismatch(`about ${p.model.org}/${p.model.name}@${p.model.version}, not ${m.org}/${m.name}@${m.version}`);
  }
  if (subject.length !== 1 || subject[0]?.digest.sha256 !== digestHex(m.digest)) {
    throw mismatch('subject is not the model digest');
  }
  if (subject[0]?.name !== `${m.name}@${m.version}`) throw mismatch('subject name is not NAME@VERSION of the model');
}
