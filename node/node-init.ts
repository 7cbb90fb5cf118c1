/**
 * The daemon's checks right after its log opens (the leader of a shared log, or a log's only writer):
 * a new log gets its first entry, `node.init` — a governance leaf committing to the node's public
 * identity (and after a log key rotation, in the same write, the `log.rotated` entry committing to the
 * old log's final tree); then the federation state check (ERR_FEDERATION_STATE_MISSING when the
 * federation's state is gone while the log records a charter).
 */
import { encodeLeaf, type GovernanceLeaf } from '../protocol/audit/leaf.ts';
import { canonicalBytes } from '../protocol/canonical/jcs.ts';
import { sha256 } from '../protocol/crypto/sha256.ts';
import { toHex } from '../protocol/encoding/bytes.ts';
import type { EventSink } from './events.ts';
import { checkFederationStateKept } from './federation/state-check.ts';
import type { LoadedHome } from './home/load.ts';
import { type RetiredLogs, rotationEntries } from './home/log-rotation.ts';
import type { HomeState } from './home/shared-state.ts';
import type { AuditLog } from './log/index.ts';

/** The public facts a node's first log entry (`node.init`) commits to. */
export function nodeInitObject(home: Pick<LoadedHome, 'config'>): Record<string, string> {
  const c = home.config;
  return { org: c.org, jurisdiction: c.jurisdiction, origin: c.origin, verifierKey: c.verifierKey, peerId: c.peerId };
}

export interface LogCheckOptions {
  home: LoadedHome;
  log: AuditLog;
  time: () => Date;
  retired: RetiredLogs;
  state: HomeState;
  events: EventSink;
}

export async function checkLog(o: LogCheckOptions): Promise<void> {
  if (o.log.size === 0) await appendNodeInit(o);
  await checkFederationStateKept(o.state.storage, o.log);
}

async function appendNodeInit(o: LogCheckOptions): Promise<void> {
  const time = o.time();
  const record = canonicalBytes(nodeInitObject(o.home));
  const leaf: GovernanceLeaf = {
    v: 1,
    type: 'governance',
    kind: 'node.init',
    time: time.toISOString(),
    digest: `sha256:${toHex(sha256(record))}`,
    ref: o.home.config.origin,
  };
  const [appended] = await o.log.append([
    { leaf: encodeLeaf(leaf), record },
    ...rotationEntries(o.home, o.retired.logs, time),
  ]);
  await o.log.checkpointNow();
  o.events('log:node-init', { index: appended?.index });
}
