/**
 * ReportService (issue 15; docs/reports.md): the cross-org compliance report, as a federation module.
 *
 *   counter.ts        this node's rolling decision counters per version, read from its own log
 *   counts-service.ts its signed model-counts statements, answered on `/govfed/report/1.0.0`
 *   gather.ts         one report: every member's records and counts, proven in their witnessed logs,
 *                     summarised, checked and signed with this node's peer key
 *
 * Ingest hands the counters what each durable batch adds (counted()); they are saved every SAVE_MS and
 * at stop. start() loads them and starts counting the log's tail since the last save (the daemon starts
 * this service before ingest); stop() waits for the work in flight and saves.
 */
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import type { Envelope } from '../../protocol/dsse/index.ts';
import type { CharterChain } from '../../protocol/federation/index.ts';
import type { Tally } from '../../protocol/report/counts.ts';
import {
  MAX_REPORT_REQUEST_FRAME,
  MAX_REPORT_RESPONSE_FRAME,
  REPORT_PROTOCOL,
} from '../../protocol/report/protocol.ts';
import type { SignedReport } from '../../protocol/report/report.ts';
import type { CrossOrgBundle } from '../../protocol/witness/bundle.ts';
import { errorText } from '../chain/index.ts';
import { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import type { FederationContext, FederationModule, ModuleProtocol } from '../federation/module.ts';
import type { ModuleState } from '../home/shared-state.ts';
import type { AuditLog } from '../log/index.ts';
import type { WindowBook } from '../monitoring/window-book.ts';
import type { DeploymentBook } from '../registry/deployment-book.ts';
import type { ModelBook } from '../registry/model-book.ts';
import { ModelCounter } from './counter.ts';
import { CountsSigner } from './counts-service.ts';
import { ReportGatherer, type ReportSubject } from './gather.ts';

export const SAVE_MS = 5000;

export interface ReportServiceOptions {
  home: { dir: string; config: { org: string } };
  /**
   * Where the module keeps its state (node/home/shared-state.ts): the home directory when absent; the
   * log's PostgreSQL database on a home whose log is there (the daemon passes openHomeState's).
   */
  state?: ModuleState;
  log: Pick<AuditLog, 'size' | 'entries' | 'append' | 'record' | 'checkpointNow' | 'onCheckpoint'>;
  /**
   * Count decisions by reading the log after each checkpoint instead of being handed ingest's tallies
   * (counted()): a log shared by several processes, whose followers' decisions this process never sees.
   */
  countFromLog?: boolean;
  models: { readonly book: ModelBook; readonly deployments: DeploymentBook };
  windows: () => WindowBook | undefined;
  witness: { lookup(origin: string, q: { leafHash: Uint8Array }): Promise<CrossOrgBundle> };
  /** The rosters held (node/registry/rosters.ts): a report carries those of the people who signed. */
  rosters: { envelope(org: string): Envelope | undefined };
  events: EventSink;
  now?: () => Date;
  verify?: Ed25519Verify;
}

export class ReportService implements FederationModule {
  readonly name = 'report';
  readonly protocols: Readonly<Record<string, ModuleProtocol>>;
  readonly #counter: ModelCounter;
  readonly #signer: CountsSigner;
  readonly #gatherer: ReportGatherer;
  readonly #events: EventSink;
  readonly #models: ReportServiceOptions['models'];
  readonly #org: string;
  #ctx: FederationContext | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #countFromLog: boolean;
  readonly #log: ReportServiceOptions['log'];
  #listening = false;

  constructor(o: ReportServiceOptions) {
    const now = o.now ?? (() => new Date());
    this.#countFromLog = o.countFromLog === true;
    this.#log = o.log;
    this.#events = o.events;
    this.#models = o.models;
    this.#org = o.home.config.org;
    this.#counter = new ModelCounter(o.state?.storage ?? o.home.dir, o.log);
    this.#signer = new CountsSigner({
      org: o.home.config.org,
      log: o.log,
      counter: this.#counter,
      now,
      context: () => this.#ctx,
      holds: (m, digest) => o.models.book.get(m.org, m.name, m.version)?.digest === digest,
    });
    this.#gatherer = new ReportGatherer({
      org: o.home.config.org,
      log: o.log,
      models: o.models,
      windows: o.windows,
      witness: o.witness,
      rosters: o.rosters,
      counts: this.#signer,
      context: () => this.#ctx,
      now,
      ...(o.verify === undefined ? {} : { verify: o.verify }),
    });
    this.protocols = {
      [REPORT_PROTOCOL]: {
        maxBytes: Math.max(MAX_REPORT_REQUEST_FRAME, MAX_REPORT_RESPONSE_FRAME),
        handle: (req) => this.#signer.handle(req),
      },
    };
  }

  attach(ctx: FederationContext): void {
    this.#ctx = ctx;
  }

  async start(): Promise<void> {
    await this.#counter.load();
    // The log's tail since the last save, counted in the background (a long log after an upgrade would
    // hold the start up); statements wait for it (CountsSigner).
    this.#counter.catchUp().catch((err) => this.#events('report:error', { error: errorText(err) }));
    if (this.#countFromLog && !this.#listening) {
      this.#listening = true;
      this.#log.onCheckpoint(() => {
        if (this.#timer === undefined) return; // stopped
        this.#counter.catchUp().catch((err) => this.#events('report:error', { error: errorText(err) }));
      });
    }
    this.#timer = setInterval(() => {
      this.#counter.save().catch((err) => this.#events('report:error', { error: errorText(err) }));
    }, SAVE_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#counter.flush();
  }

  /** What a durable batch of decisions adds to the counters, in log order (node/decisions onCounted). */
  counted(tallies: Readonly<Record<string, Tally>>, end: number): void {
    this.#counter.add(tallies, end);
  }

  onCharter(chain: CharterChain): void {
    // A failed save is retried by the periodic save (the counter stays dirty).
    this.#counter
      .setFederation(chain.federationId)
      .catch((err) => this.#events('report:error', { error: errorText(err) }));
  }

  status(): Record<string, unknown> {
    return { counted: this.#counter.through };
  }

  /**
   * The report's subject: `org` when given, else this org when it registered `name`, else the one org
   * that did (ERR_AMBIGUOUS_MODEL when several did, ERR_NOT_FOUND when none).
   */
  subject(name: string, version?: string, org?: string): ReportSubject {
    const v = version === undefined ? {} : { version };
    if (org !== undefined) return { org, name, ...v };
    const orgs = [
      ...new Set(
        this.#models.book
          .all()
          .filter((h) => h.model.name === name)
          .map((h) => h.model.org),
      ),
    ];
    if (orgs.includes(this.#org)) return { org: this.#org, name, ...v };
    if (orgs.length === 1) return { org: orgs[0] as string, name, ...v };
    if (orgs.length === 0) throw new NodeError('ERR_NOT_FOUND', `no model named ${name} in the registry`);
    throw new NodeError('ERR_AMBIGUOUS_MODEL', `${name} is registered by ${orgs.sort().join(', ')}: name the org`);
  }

  /** One signed report on the model `subject` (see gather.ts). */
  async report(subject: ReportSubject, waitMs?: number): Promise<SignedReport> {
    const signed = await this.#gatherer.build(subject, waitMs);
    this.#events('report:built', {
      model: `${subject.org}/${subject.name}${subject.version === undefined ? '' : `@${subject.version}`}`,
      evidence: signed.report.evidence.length,
      gaps: signed.report.gaps.length,
    });
    return signed;
  }
}
