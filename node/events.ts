/**
 * The node's operator events: one typed catalogue of every event a service emits, and the sink they
 * emit through.
 *
 * An event is a name `area:what` (js-libp2p style) and a flat object of fields. The daemon writes each
 * one to stderr as one JSON line, `{"time":…,"event":…,"org":…,…fields}` (formatEvent); operators,
 * tests and benches read those lines (parseEvents). Nothing in an event is a key or a token.
 *
 * Services depend on this file only (not on node/api), so it imports nothing: it is the bottom layer
 * every part of node/ may use. A new event is one entry in EventCatalogue; emitting a name that is not
 * in it, or fields of the wrong shape, does not type-check.
 */

/** Every event name and its fields. */
/** A replicated chain's pending proposal stored or grown (node/chain: the charter's and policy's). */
export type ChainProposalFields = {
  via: string;
  from?: string;
  id: string;
  version: number;
  signatures: number;
  required: number;
  complete: boolean;
};

export interface EventCatalogue {
  // ---- the daemon (node/daemon.ts) ----
  'daemon:starting': { pid: number; origin: string };
  'daemon:started': { api: string | undefined; size: number; checkpointSize: number };
  'daemon:stopping': Record<string, never>;
  'daemon:stopped': { size: number };
  'daemon:signal': { signal: string };
  'daemon:error': { error: string };
  /** The audit log gave up after a failed write; the process exits non-zero. */
  'daemon:fatal': { error: string };

  // ---- the audit log (node/log) ----
  'log:node-init': { index: number | undefined };
  /** A store write failed; the session is thrown away and the store reopened. */
  'log:fault': { error: string };
  'log:reopen-failed': { attempt: number; error: string };
  'log:recovered': { size: number; attempts: number };
  /** A shared log's follower could not read the integrated tree (the database is away); it serves what it saw. */
  'log:follow-failed': { error: string };
  /** A shared log's leader found its writer lease taken by another process: it writes nothing more. */
  'log:lease-lost': { error: string };
  /** This process's role in its org's shared log: leader (lease holder) or follower. */
  'daemon:role': { role: string; holder: string };
  /** The writer lease moved: this process restarts as `to` (node/ha roles.ts). */
  'daemon:role-change': { to: string };
  /** The lease holder could not publish the enforcement snapshot for its followers (node/ha publisher.ts). */
  'ha:publish-failed': { error: string };
  /** A follower read an enforcement snapshot that does not check; it keeps the last good one. */
  'ha:snapshot-invalid': { error: string };
  /** A follower could not hand its decisions' observations to the lease holder for long: the oldest went. */
  'ha:observations-dropped': { values: number };
  /** The lease holder took a row of observations that does not check (the row is dropped). */
  'ha:observations-invalid': { id: string };
  /** The lease holder recorded its keys as the org's current keys (none were recorded; node/ha keys-guard.ts). */
  'ha:keys-recorded': { peerId: string; home: string };
  /** This home's keys are not the org's recorded keys (ERR_KEYS_OUTDATED): the process does not lead, it stops. */
  'ha:keys-outdated': { code: string; error: string };
  /** The reopened store does not hold what was acknowledged (ERR_LOG_ROLLBACK). */
  'log:fatal': { error: string; acknowledged: number };

  // ---- the HTTP API (node/api) ----
  'http:error': {
    method: string;
    route: string | undefined;
    status: number;
    code: string | undefined;
    error: string;
    /** Only for an unexpected failure (a 500, or an error without a govfed code): node/api/errors.ts. */
    stack?: string | undefined;
  };
  'token:created': { id: string; role: string };

  // ---- the federation (node/federation) ----
  /** POST /v1/federation (before the service creates it). */
  'federation:create': { name: string };
  'federation:created': { federationId: string; name: string };
  'federation:invited': { invitee: string; peerId: string; expiresAt: string };
  'federation:joining': { federationId: string; version: number };
  'federation:bootstrap-failed': { addr: string; error: string };
  'federation:network': { peerId: string; addresses: string[] };
  /** A pending charter change stored or grown (the charter's ReplicatedChain; via local, hold, gossip, sync). */
  'federation:proposal': ChainProposalFields;
  'federation:charter': { version: number; digest: string; via: string; from?: string; members: number };
  /** A gossip or sync message refused (counted in status().rejected). */
  'federation:rejected': { via: string; kind: string; code: string; action: string; peer: string; message: string };
  /** A member took back its signature from a pending change (`dropped`: our copy had no member signature left). */
  /**
   * This node's key was replaced by the one the charter now lists for it (node/federation/rotation.ts):
   * `id` is the new witness verifier key or peer id; `restart`: the node starts again to use it.
   */
  'keys:rotated': { key: 'witness' | 'peer' | 'log'; id: string; version: number; restart: boolean };
  'federation:withdrawn': { via: string; id: string; version: number; signer: string; dropped: boolean; from?: string };
  /** This node is no longer a member: it left (`federation leave`) or was removed; its network stopped. */
  'federation:departed': { federationId: string; version: number; reason: 'left' | 'removed' };
  /** A peer removed while it was away came back and was served the versions up to its removal. */
  'federation:told-removed': { peer: string; version: number };
  'federation:publish-failed': { kind: string; error: string };
  'federation:sync-failed': { peer: string; error: string };
  /** A member we know addresses of could not be dialled (reported once, until a dial works again). */
  'federation:redial-failed': { peer: string; addresses: string[]; error: string };
  /** A request to a connected member timed out and its connection did not answer a probe: closed and dialled afresh for one more try. */
  'federation:request-retried': { peer: string; protocol: string; error: string };
  /** A roster version taken (ours, by gossip or by sync): node/registry/rosters.ts. */
  'registry:roster': { rosterOrg: string; version: number; people: number; via: string };
  /** An org signed two different rosters of one version; the first one held stays. */
  'registry:roster-fork': { rosterOrg: string; version: number };
  /** A roster sync exchange failed (unreachable, timeout). */
  'registry:sync-failed': { peer: string; error: string };
  /** The roster module could not store or load something. */
  'registry:error': { error: string };
  /** A model version taken into the registry (ours, by gossip, by sync): node/registry/models.ts. */
  'registry:model': { model: string; digest: string; tier: string; via: string };
  /** An approval (or rejection) of a model version taken. */
  'registry:approval': { model: string; approver: string; decision: string; via: string };
  /** A second, different registration of a model version held: the first stays. */
  'registry:model-conflict': { model: string; held: string; other: string; via: string };
  /** A contract version was taken (verified, logged, stored). */
  'registry:contract': { model: string; version: number; id: string; via: string };
  /** A kill-switch record was taken; `state` is the version's state after it. */
  'registry:revocation': { model: string; action: string; signer: string; state: string; via: string };
  /** A deployment record (deploy, undeploy, refused) of the org `deployer` was taken. */
  'registry:deployment': { deployer: string; model: string; action: string; shadow: boolean; via: string };
  /** A deployment record off the wire that conflicts with its org's chain (the org equivocating). */
  'registry:deployment-conflict': { deployer: string; error: string; via: string };
  /** A contract off the wire that conflicts with the version held (an org equivocating on its contract). */
  'registry:contract-conflict': { model: string; error: string; via: string };
  /** A record that waited for what it needs failed its checks once that arrived. */
  'registry:rejected': { kind: string; error: string };
  'federation:module-error': { module: string; error: string };
  'federation:audit-failed': { kind: string; version: number; error: string };
  'federation:error': { error: string };
  /** No majority of the members has confirmed this node's charter version within the window (issue 12). */
  'federation:stale': {
    version: number;
    freshFrom: number;
    needed: number;
    lastFreshAt: string | null;
    reason: string;
  };
  /** A majority confirms this node's charter version again, after it was stale. */
  'federation:fresh': { version: number; freshFrom: number; needed: number; reason: string };
  /** A freshness request to a member failed (node/federation/freshness.ts). */
  'federation:freshness-failed': { peer: string; error: string };

  // ---- monitoring (node/monitoring) ----
  /** A monitoring window closed here and was signed, logged and gossiped, or one of a member's was taken. */
  'monitoring:window': {
    windowOrg: string;
    model: string;
    monitor: string;
    seq: number;
    decisions: number;
    value: number | null;
    breach: boolean;
    via: string;
  };
  /** A window breaches its contract's threshold: the model version is flagged (and suspended for `suspend`). */
  'monitoring:breach': {
    windowOrg: string;
    model: string;
    monitor: string;
    value: number | null;
    threshold: number;
    onBreach: string;
    shadow: boolean;
  };
  /** This node's monitor identity suspended a version on a breach (docs/monitoring.md). */
  'monitoring:suspended': { model: string; monitor: string; logIndex: number };
  /** Something went wrong closing, signing, logging or acting on a window (the monitor goes on). */
  'monitoring:error': { error: string };
  /** A sync round's windows request to a member failed (unreachable, timeout): tried again next round. */
  'monitoring:sync-failed': { peer: string; error: string };

  // ---- compliance reports (node/report) ----
  /** A report was put together and signed (docs/reports.md). */
  'report:built': { model: string; evidence: number; gaps: number };
  /** Counting decisions for the reports' aggregates failed (tried again at the next catch-up). */
  'report:error': { error: string };

  // ---- policy baselines (node/policy) ----
  'policy:local': { version: number; rules: number };
  'policy:proposal': ChainProposalFields;
  'policy:applied': { version: number; digest: string; via: string; from?: string; rules: number };
  'policy:fork': { version: number; digest: string; current: string | null; via: string; from?: string };
  'policy:rejected': { code: string; via: string; peer: string; message: string };
  'policy:sync-failed': { peer: string; error: string };
  'policy:reload-failed': { error: string };
  'policy:audit-failed': { kind: string; version: number; error: string };
  'policy:error': { error: string };

  // ---- witnessing (node/witness) ----
  'witness:cosigned': { origin: string; size: number };
  'witness:refused': { origin: string; size: number; code: string };
  /** A checkpoint reached k cosignatures; lagMs (own checkpoints) is signed → witnessed. */
  'witness:witnessed': { origin: string; size: number; cosignatures: number; k: number; lagMs?: number | null };
  'witness:equivocation': { origin: string; alert: string; reporters: (string | undefined)[] };
  /** This node's log asked a witness (asker.ts) and could not reach it (reported once until it answers). */
  'witness:ask-failed': { origin: string; witness: string; error: string };
  /** A witness refused this node's checkpoint (tlog-witness code and status). */
  'witness:refused-by': { origin: string; witness: string; size: number; code: string; status: number };
  /** A witness answered with lines that are not its cosignature of the checkpoint asked for. */
  'witness:bad-cosignature': { origin: string; witness: string; error: string };
  /** The anti-entropy exchange (get-witnessed) with a peer failed. */
  'witness:exchange-failed': { peer: string; error: string };
  /** A peer's get-witnessed answer held a note that does not verify. */
  'witness:bad-note': { peer: string; error: string };
  'witness:error': { origin?: string; witness?: string; error: string };
}

export type EventName = keyof EventCatalogue;
export type EventFields = EventCatalogue;

/**
 * No event's fields may be named like what the line adds itself (formatEvent): a field `org` would
 * replace the daemon's own org in its line (an event about another org names it otherwise: `rosterOrg`,
 * `deployer`, `invitee`, `windowOrg`). An event that breaks this does not type-check, naming it.
 */
type LineKey = 'time' | 'event' | 'org';
type FieldsNamedLikeTheLine = {
  [E in EventName]: Extract<keyof EventFields[E], LineKey> extends never ? never : E;
}[EventName];
type MustBeNone<T extends never> = T;
export type NoEventFieldIsALineKey = MustBeNone<FieldsNamedLikeTheLine>;

/** One structured event for the operator's log (a JSON line on stderr in the daemon). Never secrets. */
export type EventSink = <E extends EventName>(event: E, fields: EventFields[E]) => void;

/** One event as a value: `{event, fields}`, narrowed by its name. */
export type EventRecord = { [E in EventName]: { event: E; fields: EventFields[E] } }[EventName];

/** An event line read back: its fields, plus the time and org the daemon adds. */
export type EventLine<E extends EventName = EventName> = EventFields[E] & { time: string; event: E; org: string };

/** Every name in the catalogue, at run time (the compiler keeps it complete). */
const NAMES: { readonly [E in EventName]: true } = {
  'daemon:starting': true,
  'daemon:started': true,
  'daemon:stopping': true,
  'daemon:stopped': true,
  'daemon:signal': true,
  'daemon:error': true,
  'daemon:fatal': true,
  'log:node-init': true,
  'log:fault': true,
  'log:reopen-failed': true,
  'log:recovered': true,
  'log:follow-failed': true,
  'log:lease-lost': true,
  'daemon:role': true,
  'daemon:role-change': true,
  'ha:publish-failed': true,
  'ha:snapshot-invalid': true,
  'ha:observations-dropped': true,
  'ha:observations-invalid': true,
  'ha:keys-recorded': true,
  'ha:keys-outdated': true,
  'log:fatal': true,
  'http:error': true,
  'token:created': true,
  'federation:create': true,
  'federation:created': true,
  'federation:invited': true,
  'federation:joining': true,
  'federation:bootstrap-failed': true,
  'federation:network': true,
  'federation:proposal': true,
  'federation:charter': true,
  'federation:rejected': true,
  'federation:withdrawn': true,
  'keys:rotated': true,
  'federation:departed': true,
  'federation:told-removed': true,
  'federation:publish-failed': true,
  'federation:sync-failed': true,
  'federation:redial-failed': true,
  'federation:request-retried': true,
  'registry:roster': true,
  'registry:roster-fork': true,
  'registry:sync-failed': true,
  'registry:error': true,
  'registry:model': true,
  'registry:approval': true,
  'registry:model-conflict': true,
  'registry:contract': true,
  'registry:contract-conflict': true,
  'registry:revocation': true,
  'registry:deployment': true,
  'registry:deployment-conflict': true,
  'registry:rejected': true,
  'federation:module-error': true,
  'federation:audit-failed': true,
  'federation:error': true,
  'federation:stale': true,
  'federation:fresh': true,
  'federation:freshness-failed': true,
  'monitoring:window': true,
  'monitoring:breach': true,
  'monitoring:suspended': true,
  'monitoring:error': true,
  'monitoring:sync-failed': true,
  'report:built': true,
  'report:error': true,
  'policy:local': true,
  'policy:proposal': true,
  'policy:applied': true,
  'policy:fork': true,
  'policy:rejected': true,
  'policy:sync-failed': true,
  'policy:reload-failed': true,
  'policy:audit-failed': true,
  'policy:error': true,
  'witness:cosigned': true,
  'witness:refused': true,
  'witness:witnessed': true,
  'witness:equivocation': true,
  'witness:ask-failed': true,
  'witness:refused-by': true,
  'witness:bad-cosignature': true,
  'witness:exchange-failed': true,
  'witness:bad-note': true,
  'witness:error': true,
};

export const EVENT_NAMES: readonly EventName[] = Object.keys(NAMES) as EventName[];

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(NAMES, name);
}

/**
 * The daemon's line for one event: `{"time","event","org",…fields}` (in that key order) and a newline;
 * undefined fields are left out, as JSON.stringify does.
 */
export function formatEvent<E extends EventName>(time: Date, org: string, event: E, fields: EventFields[E]): string {
  return `${JSON.stringify({ time: time.toISOString(), event, org, ...fields })}\n`;
}

/** A sink that writes formatEvent lines to `write`. */
export function lineSink(write: (line: string) => void, org: string, now: () => Date): EventSink {
  return (event, fields) => write(formatEvent(now(), org, event, fields));
}

/** A sink that keeps the events it receives (for embedding and tests). */
export function recordingSink(): { sink: EventSink; events: EventRecord[] } {
  const events: EventRecord[] = [];
  const sink: EventSink = (event, fields) => {
    events.push({ event, fields } as EventRecord);
  };
  return { sink, events };
}

/**
 * The events of `name` in daemon output (JSON lines; other lines and other events are skipped).
 * `text` is whatever a daemon wrote to stderr.
 */
export function parseEvents<E extends EventName>(text: string, name: E): EventLine<E>[] {
  const out: EventLine<E>[] = [];
  for (const line of text.split('\n')) {
    const v = parseEventLine(line);
    if (v?.event === name) out.push(v as EventLine<E>);
  }
  return out;
}

/** One line of daemon output as an event (any name), or undefined for any other line. */
export function parseEventLine(line: string): EventLine<EventName> | undefined {
  if (!line.startsWith('{')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || typeof (v as { event?: unknown }).event !== 'string') return undefined;
  return v as EventLine<EventName>;
}
