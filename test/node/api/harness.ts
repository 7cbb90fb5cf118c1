/**
 * A node for API tests: a fresh home (initHome), the real AuditLog on LevelDB in a temp dir, buildApp
 * for app.inject(), and one token per role.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../node/api/app.ts';
import type { ConsoleAssets } from '../../../node/api/console/assets.ts';
import type { LogPort } from '../../../node/api/context.ts';
import { LiveFeed } from '../../../node/api/live.ts';
import { NodeMetrics } from '../../../node/api/metrics.ts';
import { pooledRandom } from '../../../node/api/random.ts';
import { IngestPool } from '../../../node/decisions/pool.ts';
import { initHome } from '../../../node/home/init.ts';
import { type LoadedHome, loadHome } from '../../../node/home/load.ts';
import { createToken, type Role, TokenStore } from '../../../node/home/tokens.ts';
import { AuditLog, type AuditLogOptions } from '../../../node/log/index.ts';
import { WitnessService } from '../../../node/witness/index.ts';

export interface TestNode {
  root: string;
  home: LoadedHome;
  log: AuditLog;
  app: FastifyInstance;
  metrics: NodeMetrics;
  tokens: Record<Role, string>;
  /** The live-update feed GET /v1/events streams. */
  live: LiveFeed;
  events: { event: string; fields?: Record<string, unknown> }[];
  /** `{authorization: 'Bearer …'}` for a role. */
  auth(role: Role): { authorization: string };
  close(): Promise<void>;
}

export interface TestNodeOptions {
  log?: Partial<
    Pick<
      AuditLogOptions,
      'maxPendingEntries' | 'maxBatchEntries' | 'checkpointIntervalMs' | 'wrapDb' | 'highWaterFile' | 'reopenDelayMs'
    >
  >;
  /** Wraps the log the API sees (to inject faults). */
  wrapLog?: (log: AuditLog) => LogPort;
  tokenReloadMs?: number;
  /** A federation port for the /v1/federation routes (default: none, so they answer 409). */
  federation?: import('../../../node/api/ports/federation.ts').FederationPort;
  /** Charter freshness as GET /healthz reads it (default: none). */
  freshness?: import('../../../node/api/ports/federation.ts').FreshnessPort;
  /** A policy port for enforcement and the /v1/policy routes (default: none). */
  policy?: import('../../../node/api/ports/policy.ts').PolicyPort;
  /** Runs a real WitnessService on the node's home and log (outside any federation) for the witness routes. */
  witness?: boolean;
  /** The HTTP server's limits (default: config.json's, i.e. DEFAULT_HTTP_LIMITS). */
  http?: import('../../../node/home/http-limits.ts').HttpConfig;
  /** The API's clock (default: the real one). */
  now?: () => Date;
  /** Ingest worker threads for POST /v1/decisions (node/decisions IngestPool; default 0: the main thread). */
  ingestWorkers?: number;
  /** The web console's files (default: console/dist, as the daemon serves them). */
  consoleAssets?: ConsoleAssets;
  /** Most live streams at once (default: node/api/live.ts MAX_STREAMS). */
  maxStreams?: number;
  /** The process's role in a shared log (node/api follower.ts; default: the log's only writer). */
  follower?: import('../../../node/api/follower.ts').FollowerPort;
  /** Logs of earlier log keys the node holds open, by origin (node/home RetiredLogs). */
  retiredLogs?: ReadonlyMap<string, import('../../../node/log/index.ts').RetiredLog>;
}

export async function startTestNode(opts: TestNodeOptions = {}): Promise<TestNode> {
  const root = await mkdtemp(join(tmpdir(), 'govfed-api-'));
  const dir = join(root, 'home');
  const init = await initHome({ dir, org: 'test', jurisdiction: 'EU' });
  const home = await loadHome(dir);
  const metrics = new NodeMetrics({ defaultMetrics: false });
  const log = new AuditLog({
    dir: home.paths.data,
    signer: home.signer,
    origin: home.config.origin,
    checkpointIntervalMs: 60_000,
    onCommit: metrics.onCommit,
    ...opts.log,
  });
  await log.start();
  const tokens: Record<Role, string> = {
    admin: (await readFile(init.tokenFile, 'utf8')).trim(),
    ingest: (await createToken(dir, 'ingest')).token,
    auditor: (await createToken(dir, 'auditor')).token,
  };
  const events: TestNode['events'] = [];
  const witness = opts.witness === true ? new WitnessService({ home, log }) : undefined;
  await witness?.start();
  const apiLog = opts.wrapLog ? opts.wrapLog(log) : log;
  if ((opts.ingestWorkers ?? 0) > 0 && opts.policy !== undefined) {
    throw new Error('startTestNode: ingest workers run the node policy service, not a test PolicyPort');
  }
  const ingest =
    (opts.ingestWorkers ?? 0) === 0
      ? undefined
      : new IngestPool({
          workers: opts.ingestWorkers ?? 0,
          org: home.config.org,
          jurisdiction: home.config.jurisdiction,
          log: apiLog,
          now: () => new Date(),
          random: pooledRandom(),
          onRecorded: (n) => metrics.decisionsIngested.inc(n),
        });
  ingest?.start();
  const live = new LiveFeed(opts.maxStreams === undefined ? {} : { maxStreams: opts.maxStreams });
  const app = await buildApp({
    log: apiLog,
    live,
    ...(opts.consoleAssets === undefined ? {} : { consoleAssets: opts.consoleAssets }),
    ...(ingest === undefined ? {} : { ingest }),
    home,
    tokens: TokenStore.forHome(dir, { reloadIntervalMs: opts.tokenReloadMs ?? 500 }),
    metrics,
    events: (event, fields) => events.push({ event, fields }),
    ...(opts.federation === undefined ? {} : { federation: opts.federation }),
    ...(opts.freshness === undefined ? {} : { freshness: opts.freshness }),
    ...(opts.policy === undefined ? {} : { policy: opts.policy }),
    ...(witness === undefined ? {} : { witness }),
    ...(opts.http === undefined ? {} : { http: opts.http }),
    ...(opts.now === undefined ? {} : { now: opts.now }),
    ...(opts.follower === undefined ? {} : { follower: opts.follower }),
    ...(opts.retiredLogs === undefined ? {} : { retiredLogs: opts.retiredLogs }),
  });
  return {
    root,
    home,
    log,
    app,
    metrics,
    tokens,
    live,
    events,
    auth: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    async close() {
      await app.close();
      await ingest?.stop();
      await witness?.stop();
      await log.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A valid decision input. */
export function decision(i = 0): Record<string, unknown> {
  return { model: 'credit-scorer@3', output: i % 2 ? 'approve' : { score: i }, dataClasses: ['financial'] };
}
