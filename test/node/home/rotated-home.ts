/**
 * Homes on disk in the states a log key rotation leaves them (node/home/log-rotation.ts): promotedHome —
 * config.json already names the next key (keys/log.key.next) and DIR/data still holds the old log;
 * rotatedHome — the rotation finished (the old log in DIR/retired/<key id>/) and a current log begun.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { homePaths, type NodeConfig } from '../../../node/home/config.ts';
import { writeFileAtomic } from '../../../node/home/fs.ts';
import { initHome } from '../../../node/home/init.ts';
import { newLogKey } from '../../../node/home/keys.ts';
import { loadHome } from '../../../node/home/load.ts';
import { completeLogRotation } from '../../../node/home/log-rotation.ts';
import { AuditLog } from '../../../node/log/audit-log.ts';
import { items } from '../log/helpers.ts';

/** Appends `n` entries (from item `from`) to the home's current log and stops it. */
export async function appendToHome(dir: string, from: number, n: number): Promise<void> {
  const home = await loadHome(dir);
  const log = new AuditLog({
    dir: home.paths.data,
    signer: home.signer,
    origin: home.config.origin,
    highWaterFile: home.paths.highWater,
  });
  await log.start();
  await log.append(items(from, n));
  await log.stop();
}

/** A home under `root` whose log holds `n` entries, then a promoted log key rotation as log-rotation.ts leaves it. */
export async function promotedHome(
  n: number,
  root?: string,
): Promise<{ root: string; dir: string; old: NodeConfig; next: ReturnType<typeof newLogKey> }> {
  const at = root ?? (await mkdtemp(join(tmpdir(), 'govfed-logrot-')));
  const dir = join(at, 'home');
  await initHome({ dir, org: 'acme', jurisdiction: 'EU' });
  await appendToHome(dir, 0, n);
  const old = (await loadHome(dir)).config;
  const next = newLogKey('acme');
  await writeFileAtomic(`${homePaths(dir).logKey}.next`, `${next.signerKey}\n`, 0o600);
  const config: NodeConfig = {
    ...old,
    origin: next.origin,
    verifierKey: next.verifierKey,
    retiredLogs: [{ origin: old.origin, verifierKey: old.verifierKey }],
  };
  await writeFileAtomic(homePaths(dir).config, `${JSON.stringify(config, null, 2)}\n`, 0o644);
  return { root: at, dir, old, next };
}

/** promotedHome with the rotation finished and `m` entries in the new, current log. */
export async function rotatedHome(
  n: number,
  m: number,
): Promise<{ root: string; dir: string; old: NodeConfig; next: ReturnType<typeof newLogKey> }> {
  const h = await promotedHome(n);
  await completeLogRotation(h.dir);
  await appendToHome(h.dir, 1000, m);
  return h;
}
