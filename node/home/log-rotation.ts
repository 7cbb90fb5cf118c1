/**
 * The start-time half of a log key rotation (node/federation/log-rotation.ts has the running half and
 * the whole story).
 *
 * completeLogRotation(dir), before the home is loaded — when config.json already names the next key
 * (keys/log.key.next) and keys/log.key is still the key of the last retired log:
 *   1. the old log, if still in DIR/data, is opened with its own key: AuditLog's start signs a checkpoint
 *      over every entry written before the restart (or a crash), and stop closes it;
 *   2. DIR/data and DIR/high-water.json move to DIR/retired/<key id>/;
 *   3. keys/log.key.next replaces keys/log.key (the old private key is gone: nothing signs that log again).
 * Each step is skipped when done, so a crash in between is finished at the next start.
 *
 * RetiredLogs (a service: start/stop): every log config.json lists in retiredLogs, opened read-only
 * (node/log/retired-log.ts) into one map that the witness and the API read. A missing or damaged one stops
 * the node: its entries were acknowledged and must stay provable. Every process of a shared log (node/ha)
 * opens them, the followers too: they are LevelDBs in each home (a PostgreSQL log is never rotated —
 * `keys rotate --log` refuses it — so an HA org's retired logs were made before `store migrate`, and
 * `ha add-process` copies DIR/retired into each new home); a follower answers origin=<retired origin>
 * as the leader does, and a follower whose copy is missing or damaged does not start, as the leader.
 *
 * rotationEntries(home, retired): the new log's first entries — node.init's companion `log.rotated`,
 * committing to the last retired log's final tree.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { encodeLeaf } from '../../protocol/audit/leaf.ts';
import { logRotationEntry } from '../../protocol/audit/log-rotation.ts';
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import { parseLogKey as parseLogVerifierKey } from '../../protocol/witness/keys.ts';
import { NodeError } from '../errors.ts';
import { AuditLog } from '../log/audit-log.ts';
import { RetiredLog } from '../log/retired-log.ts';
import { homePaths, readConfig, retiredLogPaths } from './config.ts';
import { exists, writeFileAtomic } from './fs.ts';
import { parseLogKey } from './keys.ts';
import { type LoadedHome, readSecret } from './load.ts';

/** Steps 1–3 above. Returns true when it finished a rotation. */
export async function completeLogRotation(dir: string): Promise<boolean> {
  const paths = homePaths(dir);
  const next = `${paths.logKey}.next`;
  if (!(await exists(next))) return false;
  const config = await readConfig(dir);
  const nextKey = parseLogKey((await readSecret(next)).toString('utf8'));
  if (nextKey.verifierKey !== config.verifierKey) return false; // a rotation still pending: not ours to finish
  const current = parseLogKey((await readSecret(paths.logKey)).toString('utf8'));
  const retired = config.retiredLogs?.at(-1);
  if (retired === undefined || current.verifierKey !== retired.verifierKey) {
    throw new NodeError(
      'ERR_KEY_MISMATCH',
      'keys/log.key is neither the configured log key nor the last retired one: the log key rotation cannot be finished',
    );
  }
  const to = retiredLogPaths(dir, retired.origin);
  if (await exists(`${paths.data}/CURRENT`)) {
    const log = new AuditLog({
      dir: paths.data,
      signer: current.signer,
      origin: retired.origin,
      highWaterFile: paths.highWater,
    });
    await log.start();
    await log.stop();
    if (await exists(to.data)) {
      throw new NodeError('ERR_INVALID_CONFIG', `both ${paths.data} and ${to.data} hold a log: move one away by hand`);
    }
    await mkdir(to.dir, { recursive: true, mode: 0o700 });
    await rename(paths.data, to.data);
  }
  if (await exists(paths.highWater)) await rename(paths.highWater, to.highWater);
  await writeFileAtomic(paths.logKey, await readSecret(next), 0o600);
  await rm(next, { force: true });
  return true;
}

/** The logs of config.retiredLogs, by origin: opened read-only at start, closed at stop. */
export class RetiredLogs {
  /** Filled by start(), emptied by stop(); the same map throughout (the witness holds it). */
  readonly logs = new Map<string, RetiredLog>();
  readonly #home: Pick<LoadedHome, 'dir' | 'config'>;
  readonly #verify: Ed25519Verify | undefined;

  constructor(home: Pick<LoadedHome, 'dir' | 'config'>, verify?: Ed25519Verify) {
    this.#home = home;
    this.#verify = verify;
  }

  async start(): Promise<void> {
    try {
      for (const r of this.#home.config.retiredLogs ?? []) {
        const verifier = parseLogVerifierKey(r.verifierKey, this.#verify === undefined ? {} : { verify: this.#verify });
        this.logs.set(r.origin, await RetiredLog.open(retiredLogPaths(this.#home.dir, r.origin).data, verifier));
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    const open = [...this.logs.values()];
    this.logs.clear();
    await Promise.all(open.map((l) => l.close().catch(() => {})));
  }
}

/** The new log's `log.rotated` entry (after node.init), when the node has retired a log. */
export function rotationEntries(
  home: Pick<LoadedHome, 'config'>,
  retired: ReadonlyMap<string, RetiredLog>,
  time: Date,
): { leaf: Uint8Array; record: Uint8Array }[] {
  const last = home.config.retiredLogs?.at(-1);
  const log = last === undefined ? undefined : retired.get(last.origin);
  if (last === undefined || log === undefined) return [];
  const cp = log.checkpoint();
  const { leaf, record } = logRotationEntry(
    {
      from: { origin: last.origin, verifierKey: last.verifierKey, tree: { size: cp.size, rootHash: cp.rootHash } },
      to: { origin: home.config.origin, verifierKey: home.config.verifierKey },
    },
    'new',
    time.toISOString(),
  );
  return [{ leaf: encodeLeaf(leaf), record }];
}
