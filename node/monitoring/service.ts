/**
 * MonitorService (issue 15; docs/monitoring.md): a contract's `requiredMonitors` computed over the
 * decisions this node logs, as a federation module.
 *
 *   observe()   what sealing made of each decision (node/decisions: observations) is counted into the
 *               open windows (open-windows.ts) — counts only, on the main thread, O(log bins) each;
 *   close       a full window (N decisions, or N seconds — a 1 s tick) becomes a monitoring-window
 *               statement (protocol/monitoring statement.ts): signed with the node's peer key, logged
 *               once (governance leaf `monitor.window`, the envelope as its record), stored
 *               (DIR/monitoring/state.json), gossiped (kind `monitor-window`); closes are serialised;
 *   breach      the window's flag shows in GET /v1/models/{name}/{version} (`monitoring.flags`), in the
 *               gauge govfed_monitor_flags and as the event `monitoring:breach`; with `onBreach:
 *               "suspend"` the node's monitor identity (monitor-identity.ts) posts a suspension through
 *               the kill switch (ModelRegistry.revoke: logged, gossiped, enforced by every member);
 *   gossip      a member's window is verified (signed by that org's peer key, the contract's monitor,
 *               value and breach recomputed from its counts) before it is kept (window-book.ts);
 *   sync        each sync round one peer is asked for its latest windows (window-sync.ts,
 *               /govfed/monitoring/1.0.0), each verified the same way (event `via: "sync"`).
 *
 * Raw decisions never leave the node: only bins and counts are signed and sent.
 */
import { encodeLeaf } from '../../protocol/audit/leaf.ts';
import { canonicalBytes } from '../../protocol/canonical/jcs.ts';
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import type { Envelope } from '../../protocol/dsse/index.ts';
import {
  type CharterChain,
  type GossipMessage,
  GossipValidationError,
  type Head,
} from '../../protocol/federation/index.ts';
import { breaches, monitorName } from '../../protocol/monitoring/monitor.ts';
import type { ObservationRun } from '../../protocol/monitoring/observe.ts';
import {
  type MonitorWindow,
  verifyWindow,
  WINDOW_PAYLOAD_TYPE,
  type WindowContext,
  windowPayload,
} from '../../protocol/monitoring/statement.ts';
import { MONITOR_SYNC_PROTOCOL } from '../../protocol/monitoring/sync.ts';
import { windowValue } from '../../protocol/monitoring/window.ts';
import type { RequiredMonitor } from '../../protocol/registry/contract-terms.ts';
import type { ModelRef } from '../../protocol/registry/model-ref.ts';
import { windowLeaf } from '../../protocol/report/evidence.ts';
import { errorText } from '../chain/index.ts';
import { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import type { FederationContext, FederationModule, ModuleProtocol } from '../federation/module.ts';
import type { ModuleState } from '../home/shared-state.ts';
import type { AuditLog } from '../log/index.ts';
import type { GossipVerdict } from '../p2p/pubsub.ts';
import { currentContract, type HeldModel, type ModelBook } from '../registry/model-book.ts';
import { announceWindow } from './announce.ts';
import type { MonitorMetrics } from './metrics.ts';
import type { MonitorIdentity } from './monitor-identity.ts';
import { type ClosedWindow, type MonitoredVersion, OpenWindows } from './open-windows.ts';
import type { NamedWindow } from './promote.ts';
import { MonitorStore } from './store.ts';
import { type HeldWindow, WindowBook } from './window-book.ts';
import { WindowSync } from './window-sync.ts';

export const MONITOR_WINDOW_KIND = 'monitor-window';
const TICK_MS = 1000;

export interface MonitorServiceOptions {
  home: { dir: string; config: { org: string } };
  /**
   * Where the module keeps its state (node/home/shared-state.ts): the home directory when absent; the
   * log's PostgreSQL database on a home whose log is there (the daemon passes openHomeState's).
   */
  state?: ModuleState;
  log: Pick<AuditLog, 'append' | 'lookupLeafHash'>;
  events: EventSink;
  models: { readonly book: ModelBook; revoke(ref: ModelRef, envelope: unknown): Promise<{ logIndex: number }> };
  identity: MonitorIdentity;
  metrics?: (source: { flags(): { model: string; monitor: string; org: string }[] }) => MonitorMetrics;
  now?: () => Date;
  verify?: Ed25519Verify;
}

export class MonitorService implements FederationModule {
  readonly name = 'monitoring';
  readonly gossip: Readonly<Record<string, (msg: GossipMessage, from: string) => GossipVerdict>>;
  readonly protocols: Readonly<Record<string, ModuleProtocol>>;
  readonly book = new WindowBook();
  readonly #sync = new WindowSync(this.book, (env) => this.#take(env, 'sync'));
  readonly #o: MonitorServiceOptions;
  readonly #now: () => Date;
  readonly #open = new OpenWindows();
  readonly #store: MonitorStore;
  readonly #metrics: MonitorMetrics | undefined;
  #ctx: FederationContext | undefined;
  #federationId: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  /** Stored windows not verified yet (their model or contract may arrive later). */
  #pending: Envelope[] = [];
  /** Versions this node's monitor identity suspended already (one suspension per version and contract). */
  readonly #suspended = new Set<string>();

  constructor(o: MonitorServiceOptions) {
    this.#o = o;
    this.#now = o.now ?? (() => new Date());
    this.#store = new MonitorStore(o.state?.storage ?? o.home.dir);
    this.#metrics = o.metrics?.({ flags: () => this.#flagLabels() });
    this.gossip = { [MONITOR_WINDOW_KIND]: (msg) => this.#judgeGossip(msg) };
    this.protocols = { [MONITOR_SYNC_PROTOCOL]: this.#sync.protocol };
  }

  attach(ctx: FederationContext): void {
    this.#ctx = ctx;
  }

  async start(): Promise<void> {
    const s = await this.#store.load();
    if (s !== undefined) {
      this.#federationId = s.federationId ?? undefined;
      this.#pending = s.windows;
    }
    this.#timer = setInterval(() => this.#closeAll(this.#open.tick(this.#now())), TICK_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#tail.catch(() => {});
    await this.#store.flush();
  }

  onCharter(chain: CharterChain): void {
    if (this.#federationId !== chain.federationId) {
      this.#federationId = chain.federationId;
      this.book.clear();
      this.#sync.clear();
      this.#pending = [];
      this.#save();
    }
    this.#retryPending();
  }

  async onSyncRound(peers: readonly string[] = []): Promise<void> {
    this.#retryPending();
    const ctx = this.#ctx;
    if (ctx === undefined || ctx.chain() === undefined) return;
    if ((await this.#sync.pull(ctx, peers)) > 0) this.#save();
  }

  /** The monitoring sync kind's head (window-sync.ts): a member with the same holds the same latest windows. */
  syncHeads(): Record<string, Head> {
    return { monitoring: this.#sync.head() };
  }

  status(): Record<string, unknown> {
    return { series: this.book.size, open: this.#open.size, pending: this.#pending.length };
  }

  /** Counts decisions (node/decisions onObserved); closes the windows they fill. */
  observe(observations: readonly ObservationRun[]): void {
    const { closed, dropped } = this.#open.add(observations, this.#now(), (m, c) => this.#monitored(m, c));
    this.#metrics?.dropped(dropped);
    this.#closeAll(closed);
  }

  /** The latest windows of every org for the version `key`, and those that breach (its flags). */
  view(key: string): { flags: HeldWindow[]; windows: HeldWindow[] } {
    return { flags: this.book.breaches(key), windows: this.book.of(key, true) };
  }

  /** Every window held of the version `key` (at most MAX_KEPT per org × monitor): its history (history.ts). */
  history(key: string): HeldWindow[] {
    return this.book.of(key);
  }

  /** Resolves once every window closed so far is signed, logged, stored and acted on. */
  async flush(): Promise<void> {
    await this.#tail.catch(() => {});
  }

  /** The monitors of `model`'s contract version `contract` (hex id) and its baseline, as held here. */
  #versionOf(model: string, contract: string): MonitoredVersion | undefined {
    const held = this.#held(model);
    const monitors = held?.contracts.find((x) => x.id === contract)?.predicate.terms.requiredMonitors;
    if (held === undefined || monitors === undefined) return undefined;
    return { monitors, baseline: held.registration.predicate.baseline };
  }

  /** A version this node starts to count: as #versionOf. */
  #monitored(model: string, contract: string): MonitoredVersion | undefined {
    const version = this.#versionOf(model, contract);
    // A version that may be suspended: the monitor identity is made (and on the roster, which members
    // need before they believe its suspension) while its first window fills, not when it breaches.
    if (version?.monitors.some((m) => m.onBreach === 'suspend') === true && this.#ctx?.chain() !== undefined) {
      this.#o.identity.ensure().catch((err) => this.#o.events('monitoring:error', { error: errorText(err) }));
    }
    return version;
  }

  #held(key: string): HeldModel | undefined {
    const m = /^([^/]+)\/([^@]+)@(.+)$/.exec(key);
    return m === null ? undefined : this.#o.models.book.get(m[1] as string, m[2] as string, m[3] as string);
  }

  #closeAll(closed: readonly ClosedWindow[]): void {
    for (const c of closed) {
      const work = this.#tail.catch(() => {}).then(() => this.#close(c));
      this.#tail = work.catch((err) => this.#o.events('monitoring:error', { error: errorText(err) }));
    }
  }

  async #close(c: ClosedWindow): Promise<void> {
    const ctx = this.#ctx;
    const held = this.#held(c.model);
    const federation = this.#federationId;
    if (ctx === undefined || held === undefined || federation === undefined) return;
    const counts = c.acc.counts();
    const value = windowValue(c.spec, counts, held.registration.predicate.baseline);
    const series = {
      org: this.#o.home.config.org,
      model: held.registration.predicate.model,
      contract: `sha256:${c.contract}`,
      monitor: c.monitor,
      shadow: c.shadow,
    };
    const w: Omit<MonitorWindow, 'type'> = {
      federation,
      ...series,
      digest: held.digest,
      metric: c.spec.metric,
      seq: this.book.nextSeq(series),
      from: c.from.toISOString(),
      to: c.to.toISOString(),
      decisions: c.acc.decisions,
      counts,
      value,
      threshold: c.spec.threshold,
      breach: breaches(c.spec, value),
    };
    const payload = windowPayload(w, c.spec);
    const envelope = ctx.signAsPeer(WINDOW_PAYLOAD_TYPE, payload);
    const window = { type: 'govfed.monitor-window/v1' as const, ...w };
    const logIndex = await this.#logOnce(window, envelope);
    this.book.add({ window, envelope, logIndex });
    this.#save();
    void ctx
      .publish(MONITOR_WINDOW_KIND, { envelope })
      .catch((err) =>
        this.#o.events('federation:publish-failed', { kind: MONITOR_WINDOW_KIND, error: errorText(err) }),
      );
    this.#metrics?.window(w.metric, w.breach);
    this.#announce(window, 'local');
    if (w.breach && c.spec.onBreach === 'suspend' && !c.shadow) await this.#suspend(held, window, c);
  }

  async #logOnce(w: MonitorWindow, envelope: Envelope): Promise<number> {
    const leaf = windowLeaf(envelope, w);
    const bytes = encodeLeaf(leaf);
    const [appended] = await this.#o.log.append([{ leaf: bytes, record: canonicalBytes(envelope) }]);
    if (appended === undefined) throw new Error('the log appended nothing');
    return appended.index;
  }

  async #suspend(held: HeldModel, w: MonitorWindow, c: ClosedWindow): Promise<void> {
    const key = `${held.key}\n${c.contract}`;
    if (this.#suspended.has(key) || this.#o.models.book.view(held).kill.state !== 'active') return;
    this.#suspended.add(key);
    const name = monitorName(c.spec);
    const reason = `monitor ${name} breached on ${w.org}: ${w.value} against the contract's threshold ${w.threshold} (window ${w.seq}, ${w.decisions} decisions)`;
    try {
      const env = await this.#o.identity.suspension(w.federation, w.model, held.digest, reason);
      const taken = await this.#o.models.revoke(w.model, env);
      this.#o.events('monitoring:suspended', { model: held.key, monitor: name, logIndex: taken.logIndex });
    } catch (err) {
      this.#suspended.delete(key); // the next breaching window tries again
      throw err;
    }
  }

  /** The latest windows of the version `key`, each named by its monitor (model promote pairs them by name). */
  named(key: string): NamedWindow[] {
    return this.book.of(key, true).map((h) => {
      const { name, spec, version } = this.#nameOf(h.window);
      const field = spec?.field;
      return { ...h, name, edges: field === undefined ? undefined : version?.baseline?.fields[field]?.edges };
    });
  }

  #nameOf(w: MonitorWindow): { name: string; spec: RequiredMonitor | undefined; version?: MonitoredVersion } {
    const model = `${w.model.org}/${w.model.name}@${w.model.version}`;
    const version = this.#versionOf(model, w.contract.slice('sha256:'.length));
    const spec = version?.monitors[w.monitor];
    return {
      name: spec === undefined ? w.metric : monitorName(spec),
      spec,
      ...(version === undefined ? {} : { version }),
    };
  }

  #announce(w: MonitorWindow, via: string): void {
    const { name, spec } = this.#nameOf(w);
    announceWindow(this.#o.events, w, name, spec, via);
  }

  #windowContext(): WindowContext {
    const chain = this.#ctx?.chain();
    if (chain === undefined || this.#federationId === undefined) {
      throw new NodeError('ERR_NO_FEDERATION', 'not in a federation');
    }
    return {
      federation: chain.federationId,
      peerIdOf: (org) => chain.current.members.find((m) => m.org === org)?.peerId,
      monitorOf: (model, contract, index) => {
        const held = this.#o.models.book.get(model.org, model.name, model.version);
        const c = held?.contracts.find((x) => `sha256:${x.id}` === contract);
        const monitor = c?.predicate.terms.requiredMonitors?.[index];
        if (held === undefined || monitor === undefined) return undefined;
        const baseline = held.registration.predicate.baseline;
        return { monitor, digest: held.digest, ...(baseline === undefined ? {} : { baseline }) };
      },
    };
  }

  /** Verifies a window (attacker-controlled) and keeps it; true when it was new. */
  #take(envelope: unknown, via: string): boolean {
    const opts = this.#o.verify === undefined ? {} : { verify: this.#o.verify };
    const window = verifyWindow(envelope, this.#windowContext(), opts);
    if (window.org === this.#o.home.config.org && via === 'gossip') return false; // our own, echoed
    const added = this.book.add({ window, envelope: envelope as Envelope });
    if (added) this.#announce(window, via);
    return added;
  }

  #judgeGossip(msg: GossipMessage): GossipVerdict {
    if (this.#ctx?.chain() === undefined) return { result: 'ignore', error: undefined };
    try {
      const keys = Object.keys(msg.body);
      if (keys.length !== 1 || keys[0] !== 'envelope') {
        throw new GossipValidationError('ERR_MALFORMED_GOSSIP', 'reject', 'monitor-window body must be {envelope}');
      }
      if (!this.#take(msg.body.envelope, 'gossip')) return { result: 'ignore', error: undefined };
      this.#save();
      return { result: 'accept' };
    } catch (err) {
      // A window of a version or contract not held yet cannot be judged here: ignored, not punished
      // (ERR_MONITOR_NOT_HELD); a value or breach its counts do not give (ERR_MONITOR_WINDOW_MISMATCH) is.
      if (err instanceof Error && 'code' in err && err.code === 'ERR_MONITOR_NOT_HELD') {
        return { result: 'ignore', error: err };
      }
      return { result: 'reject', error: err };
    }
  }

  #retryPending(): void {
    if (this.#pending.length === 0 || this.#ctx?.chain() === undefined) return;
    const left: Envelope[] = [];
    for (const env of this.#pending) {
      try {
        this.#take(env, 'stored');
      } catch (err) {
        if (err instanceof Error && 'code' in err && err.code === 'ERR_MONITOR_NOT_HELD') left.push(env);
        else this.#o.events('monitoring:error', { error: `stored window dropped: ${errorText(err)}` });
      }
    }
    this.#pending = left;
  }

  #save(): void {
    const windows = [...this.book.envelopes(), ...this.#pending];
    void this.#store
      .save({ version: 1, federationId: this.#federationId ?? null, windows })
      .catch((err) => this.#o.events('monitoring:error', { error: `saving the monitoring state: ${errorText(err)}` }));
  }

  #flagLabels(): { model: string; monitor: string; org: string }[] {
    const out: { model: string; monitor: string; org: string }[] = [];
    for (const held of this.#o.models.book.all()) {
      for (const h of this.book.breaches(held.key)) {
        const spec = currentContract(held)?.predicate.terms.requiredMonitors?.[h.window.monitor];
        out.push({
          model: held.key,
          monitor: spec === undefined ? h.window.metric : monitorName(spec),
          org: h.window.org,
        });
      }
    }
    return out;
  }
}
