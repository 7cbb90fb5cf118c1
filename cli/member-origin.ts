/**
 * Naming another member's log on the command line: `--origin` takes a log origin or an org name,
 * `--org` an org name. Both are resolved against the local node's federation status (GET /v1/federation:
 * each member's logKey is a C2SP verifier key whose name is the log's origin). An unknown name is a usage
 * error that lists the valid orgs and origins.
 */
import type { ApiClient } from './client.ts';
import { UsageError } from './exit.ts';

export interface MemberLog {
  org: string;
  origin: string;
  /** True for this node's own (current) log. */
  self: boolean;
  /** True for a log the member rotated away from (its retiredLogKeys): still provable, cross-org. */
  retired?: true;
}

/** The members' logs as this node's federation status lists them (members without a log key left out). */
export async function memberLogs(client: ApiClient): Promise<MemberLog[]> {
  const status = await client.federation();
  const members = Array.isArray(status.members) ? (status.members as unknown[]) : [];
  const out: MemberLog[] = [];
  const retired: MemberLog[] = [];
  for (const m of members) {
    if (typeof m !== 'object' || m === null) continue;
    const { org, logKey, self, retiredLogKeys } = m as {
      org?: unknown;
      logKey?: unknown;
      self?: unknown;
      retiredLogKeys?: unknown;
    };
    if (typeof org !== 'string' || typeof logKey !== 'string') continue;
    const origin = originOf(logKey);
    if (origin !== undefined) out.push({ org, origin, self: self === true });
    // Retired logs after every current one: an org name resolves to its current log.
    for (const k of Array.isArray(retiredLogKeys) ? retiredLogKeys : []) {
      const o = typeof k === 'string' ? originOf(k) : undefined;
      if (o !== undefined) retired.push({ org, origin: o, self: false, retired: true });
    }
  }
  return out.concat(retired);
}

/** The origin a C2SP verifier key names (the text before its first `+`). */
function originOf(vkey: string): string | undefined {
  const origin = vkey.split('+')[0];
  return origin === undefined || origin.length === 0 ? undefined : origin;
}

/** The member log named by `value` (an origin, or an org name; with `orgOnly`, an org name only). */
export async function resolveMemberLog(
  client: ApiClient,
  command: string,
  flag: 'origin' | 'org',
  value: string,
): Promise<MemberLog> {
  const logs = await memberLogs(client);
  const found =
    (flag === 'origin' ? logs.find((l) => l.origin === value) : undefined) ?? logs.find((l) => l.org === value);
  if (found !== undefined) return found;
  const valid =
    logs.length === 0
      ? 'this node knows no member logs (is it in a federation? see govfed federation status)'
      : `valid: ${logs.map((l) => `${l.org} (${l.origin}${l.retired ? ', retired' : ''})`).join(', ')}`;
  throw new UsageError(`${command}: --${flag} '${value}' names no member of this node's federation; ${valid}`);
}
