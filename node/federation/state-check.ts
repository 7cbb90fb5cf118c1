/**
 * Start-up check: the federation state file must not have been lost.
 *
 * DIR/federation/state.json holds the charter chain this node pinned — and with it the guard against
 * signing two different charters of the same version (a fork). If the file is deleted (or a backup without
 * it is restored) the node would start as "in no federation" and lose that guard. The audit log is the
 * record of what the node accepted: every charter version is a `federation.charter` governance entry
 * (audit.ts). So when the file is missing but the log holds such an entry, the node refuses to start with
 * ERR_FEDERATION_STATE_MISSING instead of guessing — unless a `federation.departed` entry follows the last
 * charter entry: the node left (or was removed from) that federation and removed the file itself.
 */
import { NodeError } from '../errors.ts';
import type { StateStorage } from '../home/state-backend.ts';
import type { AuditLog } from '../log/index.ts';
import { FederationStore } from './store.ts';

/**
 * The index of the last `federation.charter` entry when the log says this node is in a federation: it
 * accepted a charter and no `federation.departed` entry follows it (it did not leave and was not
 * removed since). Undefined otherwise. The witness's start-up check (node/witness/store.ts) asks too.
 */
export async function memberSinceEntry(log: Pick<AuditLog, 'lookupGovernance'>): Promise<number | undefined> {
  const at = await log.lookupGovernance('federation.charter');
  if (at === undefined) return undefined;
  // It left that federation (or was removed) after its last charter: no state is the right state.
  const departed = await log.lookupGovernance('federation.departed');
  return departed !== undefined && departed > at ? undefined : at;
}

/**
 * Throws ERR_FEDERATION_STATE_MISSING when the log records a charter but the state is gone (`home`: the
 * home directory, or the home's state storage — the database's row on a home whose log is in PostgreSQL).
 */
export async function checkFederationStateKept(
  home: string | StateStorage,
  log: Pick<AuditLog, 'lookupGovernance'>,
): Promise<void> {
  const backend = new FederationStore(home).backend;
  if ((await backend.read()) !== undefined) return;
  const file = backend.where;
  const at = await memberSinceEntry(log);
  if (at === undefined) return;
  throw new NodeError(
    'ERR_FEDERATION_STATE_MISSING',
    `${file} is missing, but the audit log records a federation charter this node accepted (entry ${at}): ` +
      'starting as "in no federation" would drop its guard against signing two charters of one version. ' +
      'Restore federation/state.json from a backup of this home (the log entry and its stored record ' +
      'name the charter), then start again. See "Storage faults and recovery" in docs/operators-guide.md.',
  );
}
