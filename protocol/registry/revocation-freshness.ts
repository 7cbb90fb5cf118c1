/**
 * Freeze and rollback protection for the kill switch (docs/contracts.md "Freeze and rollback"), after
 * TUF's timestamp role without a central one: every member states, in the short-lived charter freshness
 * statement it signs every few seconds (protocol/federation/freshness.ts `revocations`), the kill-switch
 * state it holds — how many records, and a digest of their ids:
 *
 *   {"count": <n>, "digest": "sha256:<hex of SHA-256 over the sorted record ids, one per line>"}
 *
 * A member's statement *confirms* this node's state when it holds nothing this node lacks as far as the
 * statement can tell: a smaller count, or the same count and digest. A node whose state a majority of the
 * members (itself included) has not confirmed within a contract's `maxRevocationStaleness` may have been
 * cut off from a suspension (a freeze): it fails closed for that contract's versions of tier `high` and
 * above. A statement whose count is smaller than one the same member stated before is a rollback: refused.
 */
import { isPlainObject, isSha256Digest, isUint } from '../audit/fields.ts';
import { sha256 } from '../crypto/sha256.ts';
import { toHex, utf8 } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';

export interface RevocationState {
  count: number;
  digest: string;
}

/** The state of a set of record ids (hex). */
export function revocationStateOf(ids: Iterable<string>): RevocationState {
  const sorted = [...ids].sort();
  return { count: sorted.length, digest: `sha256:${toHex(sha256(utf8(sorted.join('\n'))))}` };
}

/** Checks a stated state (attacker-controlled); ERR_MALFORMED_FRESHNESS naming the field. */
export function checkRevocationState(v: unknown): RevocationState {
  const bad = (m: string) => new GovfedError('ERR_MALFORMED_FRESHNESS', `freshness statement: revocations: ${m}`);
  if (!isPlainObject(v)) throw bad('expected {count, digest}');
  for (const k of Object.keys(v)) if (k !== 'count' && k !== 'digest') throw bad(`unknown field "${k}"`);
  if (!isUint(v.count)) throw bad('count: expected an integer >= 0');
  if (!isSha256Digest(v.digest)) throw bad('digest: expected sha256:<64 hex>');
  return { count: v.count, digest: v.digest };
}

/** Whether `theirs` confirms `mine`: they hold nothing this node lacks, as far as the statement tells. */
export function confirmsRevocations(theirs: RevocationState, mine: RevocationState): boolean {
  return theirs.count < mine.count || (theirs.count === mine.count && theirs.digest === mine.digest);
}

/**
 * How old this node's kill-switch state is, as the federation vouches for it: `now` minus the time of the
 * `majority`-th freshest confirmation, this node's own (now) included; Infinity while fewer confirm.
 * `confirmedAt` are the issue times (ms) of the other members' latest confirming statements.
 */
export function revocationAgeMs(now: number, majority: number, confirmedAt: readonly number[]): number {
  const times = [now, ...confirmedAt].sort((a, b) => b - a);
  const t = times[majority - 1];
  return t === undefined ? Number.POSITIVE_INFINITY : Math.max(0, now - t);
}

/** A member's new statement against its previous one: a smaller count is a rollback (ERR_REVOCATION_ROLLBACK). */
export function assertNoRollback(previous: RevocationState | undefined, next: RevocationState, org: string): void {
  if (previous !== undefined && next.count < previous.count) {
    throw new GovfedError(
      'ERR_REVOCATION_ROLLBACK',
      `${org} stated ${next.count} kill-switch records after stating ${previous.count}: a rollback`,
    );
  }
}
