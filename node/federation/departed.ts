/**
 * The record of this node's last departure from a federation — it left (`federation leave`) or the
 * others removed it — in DIR/federation/departed.json (mode 0600, written atomically), so that after
 * the state file is gone the status still says where the node was and why it is in no federation. On a
 * home whose log is in PostgreSQL it is the database's state `federation/departed` (node/home/pg-state.ts),
 * shared by every process of the org like the federation state it follows.
 */
import { type StateStorage, storageOf } from '../home/state-backend.ts';

export interface Departure {
  federationId: string;
  name: string;
  /** The charter version without this node. */
  version: number;
  reason: 'left' | 'removed';
  /** RFC 3339. */
  at: string;
}

/** `home`: the home directory (DIR/federation/departed.json) or the home's state storage. */
export async function saveDeparture(home: string | StateStorage, d: Departure): Promise<void> {
  await storageOf(home)
    .backend('federation/departed')
    .write(Buffer.from(`${JSON.stringify(d, null, 2)}\n`, 'utf8'));
}

/** The stored record, or undefined when there is none (or it does not parse: it is informational). */
export async function loadDeparture(home: string | StateStorage): Promise<Departure | undefined> {
  const bytes = await storageOf(home)
    .backend('federation/departed')
    .read()
    .catch(() => undefined);
  if (bytes === undefined) return undefined;
  try {
    const v = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<Departure>;
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
