/**
 * Where the lease holder publishes the enforcement snapshot (enforcement.ts) and followers read it: one
 * named state of the org's database (node/home pg-state.ts, name `ha/enforcement`), written behind the
 * writer lease's fence — a process that lost the lease cannot publish — and read with its change version.
 *
 * Time is the database's: the publisher stamps `publishedAt` with `clock()`, and a read returns the
 * database's clock with the row, so a follower measures the snapshot's age on one clock — never by
 * comparing its own clock with the lease holder's (machines' clocks drift; a follower whose clock is
 * behind would keep a kill-switch state fresh for too long).
 */
import type { StoredState } from '../home/pg-state.ts';

export interface SnapshotStore {
  /** The snapshot (undefined: none published yet) and the database's clock when it was read (ms since the epoch). */
  read(): Promise<{ stored: StoredState | undefined; clockMs: number }>;
  write(body: Uint8Array): Promise<void>;
  /** The database's clock now (ms since the epoch). */
  clock(): Promise<number>;
}
