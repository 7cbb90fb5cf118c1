/**
 * The OMS v1.0 "files" serialization with SHA-256: a model's digest from the digests of its files.
 *
 * A model is a directory (or one file). Each regular file is hashed on its own (SHA-256 of its bytes)
 * and named by its path relative to the model, POSIX-style (`d0/f00`; a model that is one file has the
 * single resource `.`). The model's digest — the in-toto subject digest of an OMS signature — is
 *
 *   root = SHA-256( digest(r1) || digest(r2) || … )     32 raw bytes each, printed `sha256:<hex>`
 *
 * over the resources sorted as the reference tool sorts its manifest keys (sigstore/model-transparency,
 * manifest.py: `sorted()` over PurePosixPath keys): path by path component, each component compared by
 * code point (= by its UTF-8 bytes). That is not plain string order: `a/b` sorts before `a-b`, because the
 * component `a` is a prefix of `a-b`, though '-' (0x2d) is below '/' (0x2f). File names are not hashed,
 * only digests: the names are bound by the signed `resources` list, not by the root.
 *
 *   omsRootDigest(resources) → 'sha256:<hex>'       sorts a copy, then hashes
 *   rootDigestInOrder(resources) → Uint8Array       hashes in the order given (what a signature lists)
 *   compareResourceNames(a, b)                      the sort order above
 *   checkResourceName(name)                         a normalised relative POSIX path, or '.'
 */
import { sha256 } from '../../crypto/sha256.ts';
import { concatBytes, fromHex, toHex, utf8 } from '../../encoding/bytes.ts';
import { GovfedError } from '../../errors.ts';

/** One hashed file of a model: its relative POSIX path and the SHA-256 of its bytes (lowercase hex). */
export interface OmsResource {
  name: string;
  digest: string;
}

/** The prefix of every printed model digest. */
export const DIGEST_PREFIX = 'sha256:';
/** Longest resource name accepted (bytes of UTF-8), the usual PATH_MAX. */
export const MAX_RESOURCE_NAME_BYTES = 4096;

const HEX64 = /^[0-9a-f]{64}$/;
// C0 controls and DEL: legal in POSIX names, refused here (they only serve to hide or forge names).
const CONTROL = /[\u0000-\u001f\u007f]/;

/** `sha256:<hex>` of the model made of `resources` (sorted first; names must be distinct and valid). */
export function omsRootDigest(resources: readonly OmsResource[]): string {
  if (!Array.isArray(resources)) throw new GovfedError('ERR_INVALID_INPUT', 'resources: expected an array');
  const sorted = [...resources].sort((a, b) => compareResourceNames(a.name, b.name));
  checkResources(sorted, 'ERR_INVALID_INPUT');
  return formatDigest(rootDigestInOrder(sorted));
}

/** SHA-256 over the resources' digests in the order given (the reference's verifier does the same). */
export function rootDigestInOrder(resources: readonly OmsResource[]): Uint8Array {
  return sha256(concatBytes(...resources.map((r) => fromHex(r.digest))));
}

/** `sha256:` followed by the lowercase hex of a 32-byte digest. */
export function formatDigest(digest: Uint8Array): string {
  return `${DIGEST_PREFIX}${toHex(digest)}`;
}

/** The sort order of the reference tool's manifest: component by component, by UTF-8 bytes. */
export function compareResourceNames(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const c = compareBytes(utf8(pa[i] as string), utf8(pb[i] as string));
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * Throws `code` unless `name` is '.' or a normalised relative POSIX path: no leading '/', no empty,
 * '.' or '..' component, no control character, at most MAX_RESOURCE_NAME_BYTES.
 */
export function checkResourceName(name: unknown, code: 'ERR_INVALID_INPUT' | 'ERR_MALFORMED_STATEMENT'): string {
  if (typeof name !== 'string' || name.length === 0) throw new GovfedError(code, 'resource name: expected a path');
  if (utf8(name).length > MAX_RESOURCE_NAME_BYTES) {
    throw new GovfedError(code, `resource name longer than ${MAX_RESOURCE_NAME_BYTES} bytes`);
  }
  if (name === '.') return name;
  if (CONTROL.test(name))
    throw new GovfedError(code, `resource name ${JSON.stringify(name)} holds a control character`);
  for (const part of name.split('/')) {
    if (part === '' || part === '.' || part === '..') {
      throw new GovfedError(code, `resource name ${JSON.stringify(name)} is not a normalised relative path`);
    }
  }
  return name;
}

/** Valid names and digests, no name twice; '.' (a one-file model) only alone. */
export function checkResources(
  resources: readonly OmsResource[],
  code: 'ERR_INVALID_INPUT' | 'ERR_MALFORMED_STATEMENT',
): void {
  const seen = new Set<string>();
  for (const r of resources) {
    const name = checkResourceName(r?.name, code);
    if (typeof r.digest !== 'string' || !HEX64.test(r.digest)) {
      throw new GovfedError(code, `resource ${JSON.stringify(name)}: digest is not 64 lowercase hex digits`);
    }
    if (seen.has(name)) throw new GovfedError(code, `resource ${JSON.stringify(name)} is listed twice`);
    seen.add(name);
  }
  if (seen.has('.') && seen.size > 1) throw new GovfedError(code, "resource '.' (a one-file model) must be alone");
}
