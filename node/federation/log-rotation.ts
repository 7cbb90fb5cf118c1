/**
 * The running half of a log key rotation (`govfed keys rotate --log`; rotation.ts proposes it). A new
 * log key is a new log: its origin is derived from the key. The old log is closed, kept read-only and
 * stays provable under its old key, which the charter keeps in this member's `retiredLogKeys`.
 *
 * promoteLogKey(), once a charter version lists keys/log.key.next as this org's logKey:
 *   1. the old log gets a `log.rotated` entry naming the new origin (protocol/audit/log-rotation.ts;
 *      looked up first, so a repeated promotion writes it once) and a checkpoint covering it;
 *   2. config.json names the new origin and verifier key and lists the old log in `retiredLogs`;
 *   3. the member card is signed again (it carries the log key).
 * The caller then restarts the node. At the next start node/home/log-rotation.ts finishes it: the old
 * log is checkpointed one last time with its own key and moved to DIR/retired/<key id>/, the next key
 * becomes keys/log.key (the old private key is gone), and the new log starts with `node.init` and a
 * `log.rotated` entry that commits to the old log's final tree. A crash anywhere in between is
 * finished at the next start: every step is idempotent.
 */
import { encodeLeaf } from '../../protocol/audit/leaf.ts';
import { logRotationEntry } from '../../protocol/audit/log-rotation.ts';
import type { CharterChain } from '../../protocol/federation/index.ts';
import { leafHash } from '../../protocol/log/index.ts';
import { homePaths, type NodeConfig } from '../home/config.ts';
import { exists, writeFileAtomic } from '../home/fs.ts';
import { parseLogKey } from '../home/keys.ts';
import { readSecret } from '../home/load.ts';
import { writeMemberCard } from '../home/member-card.ts';
import type { AuditLog } from '../log/index.ts';

/** The next log key (a note signer key), while its charter change is pending. */
export function nextLogKeyPath(dir: string): string {
  return `${homePaths(dir).logKey}.next`;
}

/** What the promotion writes to: the node's (old) log. */
export type RotatingLog = Pick<AuditLog, 'append' | 'lookupLeafHash' | 'checkpointNow'>;

export interface LogPromotion {
  dir: string;
  config: NodeConfig;
  peerId: string;
  chain: CharterChain;
  log: RotatingLog;
}

/**
 * Steps 1–3 above, when the charter lists the next key for us and config.json does not name it yet.
 * Returns the config written (the caller restarts the node), or undefined when there is nothing to do.
 */
export async function promoteLogKey(p: LogPromotion): Promise<NodeConfig | undefined> {
  const file = nextLogKeyPath(p.dir);
  if (!(await exists(file))) return undefined;
  const next = parseLogKey((await readSecret(file)).toString('utf8'));
  const self = p.chain.current.members.find((m) => m.peerId === p.peerId);
  if (self?.logKey !== next.verifierKey || p.config.verifierKey === next.verifierKey) return undefined;
  const version = p.chain.versions().find((e) => e.charter.members.some((m) => m.logKey === next.verifierKey));
  const { leaf, record } = logRotationEntry(
    {
      from: { origin: p.config.origin, verifierKey: p.config.verifierKey },
      to: { origin: next.signer.name, verifierKey: next.verifierKey },
    },
    'old',
    version?.charter.createdAt ?? p.chain.current.createdAt,
  );
  const bytes = encodeLeaf(leaf);
  if ((await p.log.lookupLeafHash(leafHash(bytes))) === undefined) await p.log.append([{ leaf: bytes, record }]);
  await p.log.checkpointNow();
  const config: NodeConfig = {
    ...p.config,
    origin: next.signer.name,
    verifierKey: next.verifierKey,
    retiredLogs: [...(p.config.retiredLogs ?? []), { origin: p.config.origin, verifierKey: p.config.verifierKey }],
  };
  await writeFileAtomic(homePaths(p.dir).config, `${JSON.stringify(config, null, 2)}\n`, 0o644);
  await writeMemberCard(p.dir, config);
  return config;
}
