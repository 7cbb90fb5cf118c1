/**
 * The last step of a witness or peer key rotation in a home (node/federation/rotation.ts): the next key
 * (keys/<key>.next, written when the rotation was proposed) becomes the home's key, in this order —
 * config.json naming it first, then the key file, then the next-key file goes, then the member card is
 * signed again. A crash after config.json is finished by loadHome (load.ts); in a shared log's home, the
 * org's recorded keys are written before all of it, and a crash before config.json is finished at the
 * home's next start (node/ha keys-recovery.ts). Both callers use this one function.
 */
import { rm } from 'node:fs/promises';
import { homePaths, type NodeConfig } from './config.ts';
import { writeFileAtomic } from './fs.ts';
import { writeMemberCard } from './member-card.ts';

export type PromotedKey = 'witness' | 'peer';

/** keys/<key>.next of `dir`. */
export function nextKeyPath(dir: string, key: PromotedKey): string {
  const paths = homePaths(dir);
  return `${key === 'witness' ? paths.witnessKey : paths.peerKey}.next`;
}

/** Makes `next` (the contents of the next-key file) the home's `key`; `config` already names it. */
export async function promoteKeyFiles(
  dir: string,
  config: NodeConfig,
  key: PromotedKey,
  next: Uint8Array,
): Promise<void> {
  const paths = homePaths(dir);
  await writeFileAtomic(paths.config, `${JSON.stringify(config, null, 2)}\n`, 0o644);
  await writeFileAtomic(key === 'witness' ? paths.witnessKey : paths.peerKey, next, 0o600);
  await rm(nextKeyPath(dir, key), { force: true });
  await writeMemberCard(dir, config);
}
