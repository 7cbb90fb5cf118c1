/**
 * The record of this node's last departure from a federation — it left (`federation leave`) or the
 * others removed it — in DIR/federation/departed.json (mode 0600, written atomically), so that after
 * the state file is gone the status still says where the node was and why it is in no federation.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../home/fs.ts';

export interface Departure {
  federationId: string;
  name: string;
  /** The charter version without this node. */
  version: number;
  reason: 'left' | 'removed';
  /** RFC 3339. */
  at: string;
}

function file(homeDir: string): string {
  return join(homeDir, 'federation', 'departed.json');
}

export async function saveDeparture(homeDir: string, d: Departure): Promise<void> {
  await writeFileAtomic(file(homeDir), `${JSON.stringify(d, null, 2)}\n`, 0o600);
}

/** The stored record, or undefined when there is none (or it does not parse: it is informational). */
export async function loadDeparture(homeDir: string): Promise<Departure | undefined> {
  try {
    const v = JSON.parse(await readFile(file(homeDir), 'utf8')) as Partial<Departure>;
    if (typeof v.federationId !== 'string' || typeof v.version !== 'number') return undefined;
    if (v.reason !== 'left' && v.reason !== 'removed') return undefined;
    return {
      federationId: v.federationId,
      name: String(v.name),
      version: v.version,
      reason: v.reason,
      at: String(v.at),
    };
  } catch {
    return undefined;
  }
}
