/**
 * Finishing a key rotation that stopped half-way in a shared log's home (run by `govfed start` before it
 * loads the home, like completeLogRotation). A rotation in a home whose log is shared by several processes
 * (node/federation/rotation.ts) first records the new key as the org's in the database (node_state
 * 'ha/keys'; keys-guard.ts), then writes it into the home (key-promotion.ts). When the process died
 * between the two, the database names a key that the home holds only as its next key (keys/witness.key.next
 * or keys/peer.key.next): that home is the one that rotated, and its promotion is finished here — so it
 * starts with the org's current keys instead of being refused as outdated.
 *
 * It connects to the database only when the home has a next-key file; the database being away is not an
 * error here (the start's own check reads it again). A record that does not name the next key changes
 * nothing (a rotation still waiting for the charter, or an older one).
 */
import { resolve } from 'node:path';
import { homePaths, readConfig } from '../home/config.ts';
import { exists } from '../home/fs.ts';
import { nextKeyPath, type PromotedKey, promoteKeyFiles } from '../home/key-promotion.ts';
import { parseWitnessKey, peerIdOfKey } from '../home/keys.ts';
import { homeStore, readSecret } from '../home/load.ts';
import { PgStateDb } from '../home/pg-state.ts';
import { type OrgKeysRecord, parseOrgKeys } from './org-keys.ts';

/** Finishes a recorded rotation in the home at `dir`; returns the keys it promoted (usually none). */
export async function finishRecordedRotation(dir: string): Promise<PromotedKey[]> {
  const abs = resolve(dir);
  let config = await readConfig(abs);
  if (config.store?.driver !== 'postgres' || config.store.shared !== true) return [];
  const pending: PromotedKey[] = [];
  for (const key of ['witness', 'peer'] as const) if (await exists(nextKeyPath(abs, key))) pending.push(key);
  if (pending.length === 0) return [];
  const record = await readRecord(abs, config);
  if (record === undefined) return [];
  const promoted: PromotedKey[] = [];
  for (const key of pending) {
    const next = new Uint8Array(await readSecret(nextKeyPath(abs, key)));
    if (key === 'witness') {
      const id = parseWitnessKey(Buffer.from(next).toString('utf8')).verifierKey;
      if (id !== record.witnessKey || config.witnessKey === id) continue;
      config = { ...config, witnessKey: id };
    } else {
      const id = peerIdOfKey(next);
      if (id !== record.peerId || config.peerId === id) continue;
      config = { ...config, peerId: id };
    }
    await promoteKeyFiles(abs, config, key, next);
    promoted.push(key);
  }
  return promoted;
}

async function readRecord(
  dir: string,
  config: Awaited<ReturnType<typeof readConfig>>,
): Promise<OrgKeysRecord | undefined> {
  const spec = await homeStore(homePaths(dir), config);
  if (spec.driver !== 'postgres') return undefined;
  const db = PgStateDb.open(spec, () => undefined);
  try {
    const stored = await db.read('ha/keys');
    return stored === undefined ? undefined : parseOrgKeys(stored.body, db.backend('ha/keys').where);
  } catch {
    return undefined; // the database away, or no node_state yet: the start's own check says what is wrong
  } finally {
    await db.close();
  }
}
