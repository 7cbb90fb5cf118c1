/**
 * The parts of a node that exist only because its log is shared (roles.ts): on the lease holder, the
 * enforcement snapshot's publisher (publisher.ts, looked at again whenever the enforced rules change) and
 * the inbox of the followers' observations (observations.ts); on a follower, the snapshot it reads
 * (follower-enforcement.ts), the ingest that decides by it, the outbox of its decisions' observations,
 * and what its API's guard asks (node/api follower.ts). node/daemon.ts adds `components()` to its list.
 */

import type { ObservationRun } from '../../protocol/monitoring/observe.ts';
import { IngestPool } from '../decisions/pool.ts';
import type { EventSink } from '../events.ts';
import type { PgStateDb } from '../home/pg-state.ts';
import type { HomeState } from '../home/shared-state.ts';
import type { Component } from '../lifecycle.ts';
import type { AuditLog } from '../log/index.ts';
import type { PolicyService } from '../policy/index.ts';
import type { ModelRegistry } from '../registry/models.ts';
import { buildSnapshot } from './enforcement.ts';
import { FollowerEnforcement } from './follower-enforcement.ts';
import { ObservationInbox, ObservationOutbox } from './observations.ts';
import { EnforcementPublisher } from './publisher.ts';
import { type FollowerPort, onlyWhen, snapshotStore } from './roles.ts';

export interface HaPartsOptions {
  log: AuditLog;
  state: Pick<HomeState, 'db'>;
  config: { org: string; jurisdiction: string };
  /** Ingest worker threads of a follower (at least one: a follower decides only on the workers). */
  workers: number;
  events: EventSink;
  now: () => Date;
  /** A CSPRNG (decision ids and nonces) and the count of decisions recorded (metrics). */
  random: (n: number) => Uint8Array;
  onRecorded: (n: number) => void;
  policy: PolicyService;
  models: ModelRegistry;
  freshness: { revocationAgeMs(): number };
  /** The org's monitors (run by the lease holder): the followers' observations are handed to them. */
  monitoring: { observe(runs: readonly ObservationRun[]): void };
  /** This process's API URL, once it listens (the snapshot's `leader.api`). */
  api: () => string | undefined;
}

export interface HaParts {
  /** A follower's ingest (decides by the snapshot). */
  ingest: IngestPool;
  /** What a follower's API guard asks. */
  port: FollowerPort;
  components(leading: () => boolean, following: () => boolean): Component[];
}

export function haParts(o: HaPartsOptions): HaParts {
  const store = snapshotStore(o.state);
  const enforcement = new FollowerEnforcement({
    store,
    org: o.config.org,
    events: o.events,
    onEvaluated: (allowed, denied) => o.policy.countEvaluations(allowed, denied),
  });
  const db = o.state.db as PgStateDb;
  const outbox = new ObservationOutbox({ db, events: o.events });
  const inbox = new ObservationInbox({ db, events: o.events, observe: (runs) => o.monitoring.observe(runs) });
  const ingest = new IngestPool({
    workers: o.workers,
    org: o.config.org,
    jurisdiction: o.config.jurisdiction,
    log: o.log,
    policy: enforcement,
    models: enforcement,
    revocationAgeMs: () => enforcement.revocationAgeMs(),
    now: o.now,
    random: o.random,
    onRecorded: o.onRecorded,
    onObserved: (runs) => outbox.push(runs),
  });
  const publisher = new EnforcementPublisher({
    store,
    events: o.events,
    build: (now) => {
      const api = o.api();
      const holder = o.log.writerLease()?.holder ?? '';
      return buildSnapshot({
        org: o.config.org,
        leader: api === undefined ? { holder } : { holder, api },
        now,
        rules: o.policy.enforced,
        models: { all: () => o.models.book.all().map((h) => h.model), resolve: (ref) => o.models.resolve(ref) },
        revocationAgeMs: o.freshness.revocationAgeMs(),
      });
    },
  });
  o.policy.onRulesChanged(() => void publisher.look());
  return {
    ingest,
    port: {
      following: () => o.log.role === 'follower',
      leader: () => enforcement.snapshot?.leader.api,
      ready: () => enforcement.ready,
    },
    components: (leading, following) => [
      { name: 'ha-snapshot', service: onlyWhen(following, enforcement) },
      { name: 'ha-ingest', service: onlyWhen(following, ingest) },
      { name: 'ha-publisher', service: onlyWhen(leading, publisher) },
      { name: 'ha-outbox', service: onlyWhen(following, outbox) },
      { name: 'ha-inbox', service: onlyWhen(leading, inbox) },
    ],
  };
}
