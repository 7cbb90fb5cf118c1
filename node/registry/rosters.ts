/**
 * RosterModule (issue 13): every member's roster, as a federation module (docs/registry.md "People, keys
 * and roles"; the format and its checks: protocol/registry/roster.ts).
 *
 *   - This node's own roster is changed by the admin API (add a person: name, role, public key — never a
 *     private key; revoke a person): a new version signed with the node's peer key, persisted, logged
 *     (`registry.roster`), then gossiped (kind `roster`, body {envelope}).
 *   - Every member keeps the newest verified roster of each current member org: gossip, and each sync
 *     round a `/govfed/roster/1.0.0` hello to the round's members ({org: version} held → their newer
 *     ones), so a node that was offline catches up. Each roster it takes is logged too.
 *   - Received rosters are attacker-controlled (the sender is a member, not necessarily honest): the
 *     checklist of verifyRoster against the charter's peer id for the org it names — forged, another
 *     org's key, another federation: Reject. Not newer than the one held: Ignore. Another roster of a
 *     version held (the org signed two): kept out, an event `registry:roster-fork`, logged.
 *   - After a charter change, rosters of orgs no longer members are dropped, and a roster signed by an
 *     org's former peer key (a rotated key) no longer verifies: it stays until a newer one comes.
 *
 * State: DIR/registry/state.json {version, federationId, rosters: {org: envelope}}, re-verified on load.
 */

import { encodeLeaf, type GovernanceLeaf } from '../../protocol/audit/leaf.ts';
import { canonicalBytes } from '../../protocol/canonical/jcs.ts';
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import { toBase64 } from '../../protocol/encoding/bytes.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import {
  type CharterChain,
  type Envelope,
  type GossipMessage,
  GossipValidationError,
  type Head,
} from '../../protocol/federation/index.ts';
import {
  checkRoster,
  claimedRoster,
  firstRoster,
  nextRoster,
  ROSTER_PAYLOAD_TYPE,
  type Role,
  type Roster,
  rosterDigest,
  verifyRoster,
} from '../../protocol/registry/index.ts';
import {
  decodeRosterHello,
  decodeRosters,
  encodeRosterHello,
  encodeRosters,
  MAX_ROSTER_FRAME,
  MAX_SYNC_ROSTERS,
  ROSTER_PROTOCOL,
} from '../../protocol/registry/roster-sync.ts';
import { errorText } from '../chain/index.ts';
import { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import { byKey, headOf, sameHead } from '../federation/heads.ts';
import type { FederationContext, FederationModule, ModuleProtocol } from '../federation/module.ts';
import type { ModuleState } from '../home/shared-state.ts';
import type { AuditLog } from '../log/index.ts';
import type { GossipVerdict } from '../p2p/pubsub.ts';
import { RosterStore } from './roster-store.ts';

const REQUEST_TIMEOUT_MS = 5000;

export interface RosterModuleOptions {
  home: { dir: string; config: { org: string } };
  /**
   * Where the module keeps its state (node/home/shared-state.ts): the home directory when absent; the
   * log's PostgreSQL database on a home whose log is there (the daemon passes openHomeState's).
   */
  state?: ModuleState;
  log: Pick<AuditLog, 'append'>;
  events: EventSink;
  now?: () => Date;
  verify?: Ed25519Verify;
}

export class RosterModule implements FederationModule {
  readonly name = 'registry';
  readonly gossip: Readonly<Record<string, (msg: GossipMessage, from: string) => GossipVerdict>>;
  readonly protocols: Readonly<Record<string, ModuleProtocol>>;
  readonly #o: RosterModuleOptions;
  readonly #store: RosterStore;
  readonly #now: () => Date;
  /** org → {roster, envelope}: the newest verified roster of each member org (ours included). */
  readonly #held = new Map<string, { roster: Roster; envelope: Envelope }>();
  #generation = 0;
  #ctx: FederationContext | undefined;
  #federationId: string | undefined;
  #tail: Promise<void> = Promise.resolve();

  constructor(o: RosterModuleOptions) {
    this.#o = o;
    this.#now = o.now ?? (() => new Date());
    this.#store = new RosterStore(o.state?.storage ?? o.home.dir);
    this.gossip = { roster: (msg, from) => this.#judgeGossip(msg, from) };
    this.protocols = { [ROSTER_PROTOCOL]: { maxBytes: MAX_ROSTER_FRAME, handle: async (req) => this.#serve(req) } };
  }

  attach(ctx: FederationContext): void {
    this.#ctx = ctx;
  }

  /** Loads the stored rosters (re-verified at the first charter notice). */
  async start(): Promise<void> {
    const s = await this.#store.load();
    if (s === undefined) return;
    this.#federationId = s.federationId ?? undefined;
    for (const env of Object.values(s.rosters)) {
      try {
        const r = claimedRoster(env);
        this.#held.set(r.org, { roster: r, envelope: env });
        this.#generation++;
      } catch (err) {
        this.#o.events('registry:error', { error: `stored roster dropped: ${errorText(err)}` });
      }
    }
  }

  async stop(): Promise<void> {
    await this.#tail;
    await this.#store.flush();
  }

  onCharter(chain: CharterChain): void {
    if (this.#federationId !== chain.federationId) {
      this.#held.clear();
      this.#generation++;
      this.#federationId = chain.federationId;
    }
    // Keep what still verifies against this charter (a member gone, or re-keyed: its rosters stop counting).
    for (const [org, h] of this.#held) {
      const peer = chain.current.members.find((m) => m.org === org)?.peerId;
      try {
        if (peer === undefined) throw new Error('no longer a member');
        verifyRoster(h.envelope, { federation: chain.federationId, org, orgPeerId: peer }, { verify: this.#o.verify });
      } catch {
        this.#held.delete(org);
        this.#generation++;
      }
    }
    this.#persist();
  }

  /** Counts changes to the rosters held: whoever caches what follows from them compares it. */
  get generation(): number {
    return this.#generation;
  }

  /** Newest versions held, by org (sync hello, status). */
  versions(): Record<string, number> {
    return Object.fromEntries([...this.#held].map(([org, h]) => [org, h.roster.version]));
  }

  /** The roster of `org` as this node holds it (its own by default), or undefined. */
  roster(org = this.#o.home.config.org): Roster | undefined {
    return this.#held.get(org)?.roster;
  }

  /** The signed envelope of `org`'s newest roster held here (a compliance report carries it), or undefined. */
  envelope(org: string): Envelope | undefined {
    return this.#held.get(org)?.envelope;
  }

  /** Adds a person to this org's roster (the admin API): a new version, logged and gossiped. */
  async addPerson(p: { name: string; role: Role; publicKey: Uint8Array }): Promise<Roster> {
    return await this.#change({ add: { name: p.name, role: p.role, publicKey: toBase64(p.publicKey) } });
  }

  /** Moves a person of this org's roster to `revoked`. ERR_NOT_FOUND when nobody has that name. */
  async revoke(name: string): Promise<Roster> {
    const current = this.roster();
    if (current?.people.some((p) => p.name === name) !== true) {
      throw new NodeError('ERR_NOT_FOUND', `nobody named "${name}" is on ${this.#o.home.config.org}'s roster`);
    }
    return await this.#change({ revoke: name });
  }

  status(): Record<string, unknown> {
    return { rosters: this.versions() };
  }

  async #change(change: Parameters<typeof nextRoster>[1]): Promise<Roster> {
    const ctx = this.#ctx;
    const chain = ctx?.chain();
    if (ctx === undefined || chain === undefined) {
      throw new NodeError('ERR_NO_FEDERATION', 'rosters are kept in a federation: create or join one first');
    }
    const org = this.#o.home.config.org;
    const at = this.#now().toISOString();
    const prev = this.roster() ?? firstRoster(chain.federationId, org, at);
    if ('add' in change) {
      const key = change.add.publicKey;
      if (prev.people.some((p) => p.name === change.add.name)) {
        throw new NodeError('ERR_IDENTITY_EXISTS', `"${change.add.name}" is on ${org}'s roster already`);
      }
      if ([...prev.people, ...prev.revoked].some((p) => p.publicKey === key)) {
        throw new NodeError('ERR_IDENTITY_EXISTS', 'that public key is (or was) on the roster already: make a new key');
      }
    }
    const next =
      this.roster() === undefined && 'add' in change ? nextFromFirst(prev, change) : nextRoster(prev, change, at);
    const env = ctx.signAsPeer(ROSTER_PAYLOAD_TYPE, canonicalBytes(next));
    await this.#accept(next, env, 'local');
    void ctx
      .publish('roster', { envelope: env })
      .catch((err) => this.#o.events('federation:publish-failed', { kind: 'roster', error: errorText(err) }));
    return next;
  }

  /** Takes a verified roster: held, persisted, logged (in order), an event. */
  async #accept(roster: Roster, envelope: Envelope, via: string): Promise<void> {
    this.#held.set(roster.org, { roster, envelope });
    this.#generation++;
    const leaf: GovernanceLeaf = {
      v: 1,
      type: 'governance',
      kind: 'registry.roster',
      time: this.#now().toISOString(),
      digest: rosterDigest(roster),
      ref: `registry/${roster.federation}/roster/${roster.org}/${roster.version}`.slice(0, 512),
    };
    const work = this.#tail.then(async () => {
      await this.#store.save(this.#state());
      await this.#o.log.append([{ leaf: encodeLeaf(leaf), record: canonicalBytes(envelope) }]);
    });
    this.#tail = work.catch(() => {});
    await work;
    this.#o.events('registry:roster', {
      rosterOrg: roster.org,
      version: roster.version,
      people: roster.people.length,
      via,
    });
  }

  #state() {
    return {
      version: 1 as const,
      federationId: this.#federationId ?? null,
      rosters: Object.fromEntries([...this.#held].map(([org, h]) => [org, h.envelope])),
    };
  }

  #persist(): void {
    this.#tail = this.#tail
      .then(() => this.#store.save(this.#state()))
      .catch((err) => this.#o.events('registry:error', { error: `saving rosters: ${errorText(err)}` }));
  }

  /**
   * Verifies `value` (attacker-controlled) against the charter and takes it when newer than the one held.
   * Returns false for one not newer; throws the checklist's coded error.
   */
  #take(value: unknown, via: string): boolean {
    const chain = this.#ctx?.chain();
    if (chain === undefined) return false;
    const claimed = claimedRoster(value);
    const peer = chain.current.members.find((m) => m.org === claimed.org)?.peerId;
    if (peer === undefined) {
      throw new GossipValidationError(
        'ERR_UNKNOWN_SIGNER',
        'reject',
        `roster of ${claimed.org}, which is not a member`,
      );
    }
    const roster = verifyRoster(
      value,
      { federation: chain.federationId, org: claimed.org, orgPeerId: peer },
      { verify: this.#o.verify },
    );
    const held = this.#held.get(roster.org)?.roster;
    if (held !== undefined && held.version >= roster.version) {
      if (held.version === roster.version && rosterDigest(held) !== rosterDigest(roster)) {
        this.#o.events('registry:roster-fork', { rosterOrg: roster.org, version: roster.version });
      }
      return false;
    }
    const envelope = value as Envelope;
    void this.#accept(roster, envelope, via).catch((err) =>
      this.#o.events('registry:error', { error: `taking ${roster.org}'s roster: ${errorText(err)}` }),
    );
    return true;
  }

  #judgeGossip(msg: GossipMessage, _from: string): GossipVerdict {
    try {
      const keys = Object.keys(msg.body);
      if (keys.length !== 1 || keys[0] !== 'envelope') {
        throw new GossipValidationError('ERR_MALFORMED_GOSSIP', 'reject', 'roster body must be {envelope}');
      }
      return this.#take(msg.body.envelope, 'gossip') ? { result: 'accept' } : { result: 'ignore', error: undefined };
    } catch (err) {
      return { result: 'reject', error: err };
    }
  }

  /** Answers a hello (attacker-controlled) with the rosters we hold newer than the asker's. */
  #serve(req: Uint8Array): Uint8Array {
    const have = decodeRosterHello(req);
    const newer = [...this.#held.values()]
      .filter((h) => (have[h.roster.org] ?? 0) < h.roster.version)
      .slice(0, MAX_SYNC_ROSTERS)
      .map((h) => h.envelope);
    return encodeRosters(newer);
  }

  /**
   * The rosters sync kind's head (heads.ts): how many orgs' rosters are held and a digest of each one's
   * version — a member with the same holds no roster newer than ours.
   */
  syncHeads(): Record<string, Head> {
    const versions = byKey(Object.entries(this.versions()));
    return {
      rosters: headOf(
        versions.length,
        versions.map(([org, v]) => `${JSON.stringify(org)} ${v}`),
      ),
    };
  }

  /** Asks the round's members for the rosters newer than ours (but those whose head is ours). */
  async onSyncRound(peers: readonly string[]): Promise<void> {
    const ctx = this.#ctx;
    if (ctx === undefined || ctx.chain() === undefined) return;
    const ours = this.syncHeads().rosters;
    await Promise.all(
      peers.map(async (peer) => {
        if (sameHead(ctx.peerHead?.(peer, 'rosters'), ours)) return;
        try {
          const bytes = await ctx.request(
            peer,
            ROSTER_PROTOCOL,
            encodeRosterHello(this.versions()),
            MAX_ROSTER_FRAME,
            REQUEST_TIMEOUT_MS,
          );
          for (const env of decodeRosters(bytes)) {
            try {
              this.#take(env, 'sync');
            } catch (err) {
              ctx.reject('request', 'roster', peer, err, 'reject');
            }
          }
        } catch (err) {
          if (isGovfedError(err)) ctx.reject('request', 'roster', peer, err, 'reject');
          else ctx.events('registry:sync-failed', { peer, error: errorText(err) });
        }
      }),
    );
  }
}

/** Version 1 holds the first person: a roster starts when its first person is added. */
function nextFromFirst(first: Roster, change: { add: { name: string; role: Role; publicKey: string } }): Roster {
  return checkRoster({ ...first, people: [{ ...change.add, addedAt: first.issuedAt }] });
}
