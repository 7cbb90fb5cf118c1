/**
 * A node's services by the role of its process in a shared log (several govfed processes of one org on
 * one PostgreSQL database; node/log follower.ts). The daemon builds one list of services (node/daemon.ts)
 * and starts it once the log knows its role:
 *
 *   leader   (the writer lease's holder, or the only process of a log that is not shared): everything —
 *            the org's federation presence and modules, witness, reports, its own ingest — and, when the
 *            log is shared, the enforcement snapshot for the followers (publisher.ts);
 *   follower its log (sequencing, reads of the integrated tree), the state it reads (tokens), an ingest
 *            that decides by the lease holder's snapshot (follower-enforcement.ts), and the API with the
 *            follower guard (node/api follower.ts).
 *
 * A role change restarts the process's node (cli/commands/start.ts: the same API address): a follower
 * that takes the free lease comes back as the leader with the org's state from the database; a leader
 * that finds its lease taken comes back as a follower.
 */

import type { HomeState } from '../home/shared-state.ts';
import type { Startable } from '../lifecycle.ts';
import type { LogRole } from '../log/index.ts';
import type { SnapshotStore } from './snapshot-store.ts';

/** What a follower's API guard asks of the process's role (node/api follower.ts). */
export interface FollowerPort {
  /** True while this process follows (another process holds the org's writer lease). */
  following(): boolean;
  /** The lease holder's API URL, when it published one. */
  leader(): string | undefined;
  /** The follower has an enforcement view: it can take decisions. */
  ready(): boolean;
}

/** `service`, started and stopped only while `active()` says so at start. */
export function onlyWhen(active: () => boolean, service: Startable): Startable {
  let started = false;
  return {
    start: async () => {
      started = active();
      if (started) await service.start();
    },
    afterStart: async () => {
      if (started) await service.afterStart?.();
    },
    beforeStop: async () => {
      if (started) await service.beforeStop?.();
    },
    stop: async () => {
      if (!started) return;
      started = false;
      await service.stop();
    },
  };
}

/** The role tests of a log's role: a log with one writer leads. */
export function roleTests(role: () => LogRole | undefined): { leading: () => boolean; following: () => boolean } {
  return { leading: () => role() !== 'follower', following: () => role() === 'follower' };
}

/** The enforcement snapshot's place in the org's database (node_state 'ha/enforcement'). */
export function snapshotStore(state: Pick<HomeState, 'db'>): SnapshotStore {
  const db = state.db;
  if (db === undefined) throw new Error('snapshotStore: the home keeps no state in a database');
  return {
    read: () => db.readTimed('ha/enforcement'),
    write: (body) => db.write('ha/enforcement', body),
    clock: () => db.clock(),
  };
}
