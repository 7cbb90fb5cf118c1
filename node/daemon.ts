/**
 * The govfed daemon: one node's services, wired in dependency order — one list of Startables
 * (node/lifecycle.ts) started in order and stopped in reverse.
 *
 *   start(): AuditLog (opens its store — LevelDB in DIR/data or config.store's PostgreSQL —, reloads the tree, checks the high-water mark (DIR/high-water.json, or the database's high_water row) and re-checks the last
 *            checkpoint: a log smaller than what this node signed refuses to start, ERR_LOG_ROLLBACK)
 *            → on a new log, a `node.init` governance entry committing to the node's public identity
 *            → the federation state check (node/federation/state-check.ts: state.json missing while the log
 *              records a federation.charter → ERR_FEDERATION_STATE_MISSING, the node does not start)
 *            → WitnessService (node/witness: opens DIR/witness; a federation module, added before the
 *              federation starts)
 *            → PolicyService (node/policy: DIR/policy; a federation module too; its local overlay and
 *              stored baseline are enforced before the API listens, bundles re-verify with the charter)
 *            → FreshnessModule (node/federation/freshness.ts: charter freshness statements; a federation module too)
 *            → ModelRegistry, MonitorService (node/registry, node/monitoring: registrations, contracts,
 *              kill switch; monitoring windows — federation modules too)
 *            → FederationService (node/federation: reloads DIR/federation/state.json; when the node is in a
 *              federation, starts libp2p on config.listen — otherwise no port is opened until create/join)
 *            → HTTP API (listen on config.api; port 0 picks a free port)
 *            → DIR/api.addr and DIR/govfed.pid, then one line on stdout:
 *              `govfed node <org> listening on http://HOST:PORT`
 *   stop():  the same in reverse — the API stops accepting (503 ERR_SHUTTING_DOWN) and finishes in-flight
 *            requests (each of which waits for its entries to be durable), the federation stops (libp2p
 *            closes, state is flushed), then policy and witness flush, then the log flushes, signs a final
 *            checkpoint and closes; the pid and address files go last. A start that fails stops what it
 *            started, the same way.
 *
 * Storage faults: after a failed write the log reopens its store itself (node/log audit-log.ts) and the
 * API answers 503 ERR_LOG_UNAVAILABLE meanwhile; if the reopened store lost acknowledged entries the log
 * reports it as fatal and `onFatal` makes the process exit non-zero.
 *
 * A log shared by several processes of the org (PostgreSQL, store.shared; node/ha roles.ts): the process
 * that holds the writer lease starts as above (the leader) and publishes the enforcement snapshot; the
 * others start as followers — their log, the state they read (tokens), an ingest that decides by the
 * snapshot and the API behind the follower guard, none of the org's modules. When the lease moves the
 * process restarts as its new role (`onRestart`; `govfed start` keeps the API address).
 * Every process of a shared log first checks its home's keys against the org's recorded ones, before the
 * log opens (node/ha keys-guard.ts: ERR_KEYS_OUTDATED); the leader records them (or checks them again,
 * now under the lease) and a follower watches them, stopping when a key rotation made its home outdated.
 *
 * Events go to stderr as one JSON object per line. Nothing logged contains keys or tokens.
 */
import type { Tally } from '../protocol/report/counts.ts';
import { buildApp } from './api/app.ts';
import { LiveFeed } from './api/live.ts';
import { NodeMetrics } from './api/metrics.ts';
import { pooledRandom } from './api/random.ts';
import { ApiServer } from './api/server.ts';
import { opensslVerify } from './crypto/ed25519.ts';
import type { DaemonOptions } from './daemon-options.ts';
import { IngestPool } from './decisions/pool.ts';
import { NodeError } from './errors.ts';
import { type EventSink, lineSink } from './events.ts';
import { FederationService, FreshnessModule } from './federation/index.ts';
import { type KeysGuard, keysGuardOf } from './ha/keys-guard.ts';
import { haParts } from './ha/parts.ts';
import { onlyWhen, roleTests } from './ha/roles.ts';
import { defaultIngestWorkers } from './home/config.ts';
import type { LoadedHome } from './home/load.ts';
import { RetiredLogs } from './home/log-rotation.ts';
import { privateUmask } from './home/permissions.ts';
import { RunFiles } from './home/run-files.ts';
import { openHomeState } from './home/shared-state.ts';
import { Lifecycle, type Startable } from './lifecycle.ts';
import { AuditLog, GOVERNANCE_CHECKPOINT_INTERVALS } from './log/index.ts';
import { MonitorIdentity, MonitorMetrics, MonitorService } from './monitoring/index.ts';
import { PolicyService } from './policy/index.ts';
import { ModelRegistry } from './registry/models.ts';
import { policyRiskCheck } from './registry/risk-check.ts';
import { RosterModule } from './registry/rosters.ts';
import { ReportService } from './report/index.ts';
import { WitnessService } from './witness/index.ts';

export type { DaemonOptions } from './daemon-options.ts';

interface Running {
  log: AuditLog;
  federation: FederationService;
  lifecycle: Lifecycle;
}

import { checkLog } from './node-init.ts';

export { nodeInitObject } from './node-init.ts';

export class Daemon {
  readonly home: LoadedHome;
  readonly #opts: DaemonOptions;
  readonly #events: EventSink;
  /** What the web console's live stream (GET /v1/events) carries: the events below, teed, and checkpoints. */
  readonly #live = new LiveFeed();
  #run: Running | undefined;
  #address: string | undefined;
  #stopping: Promise<void> | undefined;

  constructor(home: LoadedHome, opts: DaemonOptions = {}) {
    this.home = home;
    this.#opts = opts;
    const err = opts.stderr ?? ((line: string) => process.stderr.write(line));
    const now = opts.now ?? (() => new Date());
    const line = lineSink(err, home.config.org, now);
    this.#events = (event, fields) => {
      line(event, fields);
      this.#live.fromEvent(event, fields);
    };
  }

  /** HOST:PORT the API listens on, once started. */
  get address(): string | undefined {
    return this.#address;
  }

  /** The running federation service (for embedding and tests), or undefined when stopped. */
  get federation(): FederationService | undefined {
    return this.#run?.federation;
  }

  /** The running audit log (for embedding and tests), or undefined when stopped. */
  get log(): AuditLog | undefined {
    return this.#run?.log;
  }

  /** http://HOST:PORT, once started. */
  get url(): string | undefined {
    return this.#address === undefined ? undefined : `http://${this.#address}`;
  }

  async start(): Promise<void> {
    if (this.#run !== undefined) throw new NodeError('ERR_ALREADY_RUNNING', 'the daemon is already started');
    const { config } = this.home;
    const now = this.#opts.now ?? (() => new Date());
    const metrics = new NodeMetrics({ defaultMetrics: this.#opts.defaultMetrics });
    this.#events('daemon:starting', { pid: process.pid, origin: config.origin });
    privateUmask(); // what LevelDB creates (it asks for 0644/0755) is the node's alone: 0600/0700

    let keys: KeysGuard | undefined;
    const log = new AuditLog({
      store: this.home.store,
      signer: this.home.signer,
      verify: opensslVerify,
      origin: config.origin,
      checkpointIntervalMs: config.checkpointIntervalMs,
      governanceCheckpointGapMs: GOVERNANCE_CHECKPOINT_INTERVALS * config.checkpointIntervalMs,
      onCommit: metrics.onCommit,
      highWaterFile: this.home.paths.highWater,
      now,
      onEvent: this.#events,
      onFatal: (err) => {
        this.#events('daemon:fatal', { error: err instanceof Error ? err.message : String(err) });
        this.#opts.onFatal?.(err);
      },
      // A shared log: the role of this process changes with the writer lease (node/ha roles.ts).
      ...(this.#opts.holder === undefined ? {} : { holder: this.#opts.holder }),
      onLeaseAvailable: () => this.#roleChanged('leader'),
      onLeaseLost: () => this.#roleChanged('follower'),
      mayTakeLease: () => keys?.mayLead() ?? Promise.resolve(true), // a follower with outdated keys does not lead
      ...this.#opts.log,
    });
    const { leading, following } = roleTests(() => log.role);
    // The modules' state: the home directory, or the log's PostgreSQL database (fenced by its writer lease).
    const state = openHomeState(this.home, () => log.writerLease());
    // A shared log: this home's keys must be the org's current ones (node/ha keys-guard.ts).
    keys = keysGuardOf(this.home, state, { events: this.#events, now, onOutdated: (err) => this.#outdated(err) });
    // One Ed25519 verifier for every service: protocol/'s strict rules, the equation on OpenSSL (node/crypto).
    const services = {
      home: this.home,
      state,
      log,
      events: this.#events,
      now,
      registry: metrics.registry,
      verify: opensslVerify,
    };
    const federation = new FederationService({ ...services, restart: this.#opts.onRestart });
    const retired = new RetiredLogs(this.home, opensslVerify);
    const witness = new WitnessService({ ...services, retired: retired.logs });
    const policy = new PolicyService(services);
    let models: ModelRegistry | undefined;
    const freshness = new FreshnessModule({
      config: config.freshness,
      now,
      registry: metrics.registry,
      verify: opensslVerify,
      revocations: () => models?.revocationState(),
      revocationWindowMs: () => models?.book.revocationWindowMs(),
    });
    federation.use(witness); // modules are added before the federation starts
    federation.use(policy);
    federation.use(freshness);
    const registry = new RosterModule(services);
    federation.use(registry);
    models = new ModelRegistry({
      ...services,
      rosters: registry,
      risk: policyRiskCheck({
        policy,
        jurisdictionOf: (org) => federation.chain?.current.members.find((m) => m.org === org)?.jurisdiction ?? '',
        self: { org: config.org, jurisdiction: config.jurisdiction },
      }),
    });
    federation.use(models); // after the rosters: it checks records against them
    const monitoring = new MonitorService({
      home: this.home,
      state,
      log,
      events: this.#events,
      now,
      verify: opensslVerify,
      models,
      identity: new MonitorIdentity({
        homeDir: this.home.dir,
        storage: state.storage,
        org: config.org,
        rosters: registry,
        now,
      }),
      metrics: (source) => new MonitorMetrics(metrics.registry, source),
    });
    federation.use(monitoring); // after the models: windows are checked against their contracts
    const report = new ReportService({
      home: this.home,
      state,
      log,
      countFromLog: log.shared, // the followers' decisions are counted from the log
      models,
      windows: () => monitoring.book,
      witness,
      rosters: registry,
      events: this.#events,
      now,
      verify: opensslVerify,
    });
    federation.use(report); // compliance reports: counts statements over /govfed/report/1.0.0
    const workers = config.ingestWorkers ?? defaultIngestWorkers();
    const registered = models;
    const ingest =
      workers === 0
        ? undefined
        : new IngestPool({
            workers,
            org: config.org,
            jurisdiction: config.jurisdiction,
            log,
            policy,
            models: { resolve: (ref) => registered.resolve(ref) },
            revocationAgeMs: () => freshness.revocationAgeMs(),
            now,
            random: pooledRandom(),
            onRecorded: (n) => metrics.decisionsIngested.inc(n),
            onObserved: (o) => monitoring.observe(o),
            ...(log.shared ? {} : { onCounted: (t: Record<string, Tally>, end: number) => report.counted(t, end) }),
          });
    // A shared log: the lease holder publishes what its followers decide by; a follower decides by it.
    const ha = log.shared
      ? haParts({
          log,
          state,
          config,
          workers: Math.max(1, workers),
          events: this.#events,
          now,
          random: pooledRandom(),
          onRecorded: (n) => metrics.decisionsIngested.inc(n),
          policy,
          models,
          freshness,
          monitoring,
          api: () => this.url,
        })
      : undefined;
    log.onCheckpoint((cp) => this.#live.publish('checkpoint', { size: cp.size }));
    const api = new ApiServer(this.home, () =>
      buildApp({
        live: this.#live,
        log,
        home: this.home,
        tokens: state.tokens,
        metrics,
        startedAt: now(),
        events: this.#events,
        now,
        federation,
        witness,
        policy,
        freshness,
        registry,
        models,
        monitoring,
        report,
        retiredLogs: retired.logs,
        ...(ha !== undefined && following() ? { ingest: ha.ingest, follower: ha.port } : {}),
        ...(ingest === undefined || following() ? {} : { ingest }),
      }),
    );
    const leader = (name: string, service: Startable) => ({ name, service: onlyWhen(leading, service) });
    const keyParts = keys?.components(leading, following);
    // Started in this order, stopped in reverse (node/lifecycle.ts).
    const lifecycle = new Lifecycle([
      { name: 'files', service: new RunFiles(this.home, api) }, // written once all started, removed last
      ...(keyParts === undefined ? [] : [keyParts.before]), // ERR_KEYS_OUTDATED before the log opens
      { name: 'log', service: log }, // ERR_ALREADY_RUNNING when another daemon holds the LevelDB lock
      { name: 'state', service: state }, // the modules' state in PostgreSQL: migrated, tokens loaded
      ...(keyParts?.after ?? []), // the leader records or re-checks the org's keys; a follower watches them
      // Logs of earlier log keys, read-only, in every process: each home holds its own copy (ha add-process
      // copies DIR/retired), so a follower answers origin=<retired origin> as the leader does.
      { name: 'retired-logs', service: retired },
      // A follower of a shared log runs none of the org's modules (node/ha roles.ts): only the leader.
      leader('log-checks', {
        start: () => checkLog({ home: this.home, log, time: now, retired, state, events: this.#events }),
        stop: () => {},
      }),
      leader('witness', witness),
      leader('policy', policy),
      leader('freshness', freshness), // signs and judges once the federation gives it a charter
      leader('registry', registry), // rosters loaded before the federation hands it a charter
      leader('models', models), // registrations and approvals, judged again at the first charter
      leader('monitoring', monitoring), // monitoring windows, verified again at the first charter
      leader('report', report), // the reports' decision counters (DIR/report/state.json)
      leader('federation', federation),
      ...(ingest === undefined ? [] : [leader('ingest', ingest)]), // worker threads for POST /v1/decisions
      ...(ha === undefined ? [] : ha.components(leading, following)), // the snapshot: read, or published
      { name: 'api', service: api },
      ...(ha === undefined ? [] : [{ name: 'role', service: { start: () => this.#sayRole(log), stop: () => {} } }]),
    ]);
    this.#run = { log, federation, lifecycle };
    try {
      await lifecycle.start();
    } catch (err) {
      this.#run = undefined;
      throw err;
    }
    this.#address = api.address;
    this.#events('daemon:started', { api: this.#address, size: log.size, checkpointSize: log.checkpoint().size });
    (this.#opts.stdout ?? ((line: string) => process.stdout.write(line)))(
      `govfed node ${config.org} listening on ${this.url}\n`,
    );
  }

  /** Stops the API, the services, then the log; removes the pid and address files. Safe to call more than once. */
  stop(): Promise<void> {
    const run = this.#run;
    if (run === undefined) return this.#stopping ?? Promise.resolve();
    this.#stopping ??= (async () => {
      this.#events('daemon:stopping', {});
      const size = run.log.size;
      try {
        await run.lifecycle.stop();
      } finally {
        this.#run = undefined;
        this.#address = undefined;
      }
      this.#events('daemon:stopped', { size });
    })();
    return this.#stopping;
  }

  /** A shared log's role in this process, said once it is known (node/ha roles.ts). */
  #sayRole(log: AuditLog): void {
    this.#events('daemon:role', { role: log.role ?? 'leader', holder: log.writerLease()?.holder ?? '' });
  }

  /** A follower's keys were made outdated by a rotation: the process stops (it must not lead with them). */
  #outdated(err: unknown): void {
    if (this.#opts.onFatal !== undefined) this.#opts.onFatal(err);
    else void this.stop();
  }

  /** The writer lease moved: restart as the leader, or as a follower (at once: its libp2p presence must end). */
  #roleChanged(to: 'leader' | 'follower'): void {
    this.#events('daemon:role-change', { to });
    if (this.#opts.onRestart !== undefined) this.#opts.onRestart();
    else if (to === 'follower') void this.stop(); // embedded, no one restarts it: a former leader stops
  }

  /**
   * Stops cleanly on SIGINT/SIGTERM, then calls `exit(0)` (or `exit(1)` if stopping failed). For the
   * foreground `govfed start`.
   */
  handleSignals(exit: (code: number) => void = (code) => process.exit(code)): void {
    const onSignal = (signal: NodeJS.Signals) => {
      this.#events('daemon:signal', { signal });
      this.stop().then(
        () => exit(0),
        (err: unknown) => {
          this.#events('daemon:error', { error: err instanceof Error ? err.message : String(err) });
          exit(1);
        },
      );
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
}
