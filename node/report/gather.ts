/**
 * ReportGatherer: puts one compliance report together (protocol/report; docs/reports.md). For the
 * versions of the model this node's registry holds, it collects every signed record about them — the
 * registration, approvals, contracts and kill-switch records (replicated to every member), every org's
 * deployment records (their envelopes read back from this node's log, which stored them with their
 * leaves) and monitoring windows — and asks every member over `/govfed/report/1.0.0` for its signed
 * model-counts statements. Each record is then proven in the log of the org that made it: its leaf
 * (protocol/report/evidence.ts) is looked up and proven against that log's newest witnessed checkpoint
 * (node/witness: over `/govfed/log/1.0.0` to the owner's node, verified here). A record not witnessed yet
 * is asked for again until `waitMs`; what cannot be proven or reached goes into the report's `gaps`.
 * The report is then summarised and checked with protocol/report's own functions, and signed with this
 * node's peer key. Its cost grows with orgs and records, never with decisions.
 */
import { encodeLeaf, type GovernanceLeaf } from '../../protocol/audit/leaf.ts';
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import type { Envelope } from '../../protocol/dsse/index.ts';
import { parseEnvelope } from '../../protocol/dsse/index.ts';
import { fromUtf8 } from '../../protocol/encoding/bytes.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import type { CharterChain } from '../../protocol/federation/index.ts';
import { leafHash } from '../../protocol/log/index.ts';
import { claimedDeployment } from '../../protocol/registry/deployment.ts';
import { verifyCounts } from '../../protocol/report/counts.ts';
import {
  type Claimed,
  claimPersonSigned,
  countsLeaf,
  deploymentLeaf,
  type EvidenceKind,
  windowLeaf,
} from '../../protocol/report/evidence.ts';
import {
  type CountsAsked,
  decodeCountsResponse,
  encodeCountsRequest,
  MAX_REPORT_RESPONSE_FRAME,
  REPORT_PROTOCOL,
} from '../../protocol/report/protocol.ts';
import {
  REPORT_PAYLOAD_TYPE,
  type Report,
  reportSignaturePayload,
  type SignedReport,
} from '../../protocol/report/report.ts';
import type { CrossOrgBundle } from '../../protocol/witness/bundle.ts';
import { parseLogKey } from '../../protocol/witness/keys.ts';
import { errorText } from '../chain/index.ts';
import { NodeError } from '../errors.ts';
import type { FederationContext } from '../federation/module.ts';
import type { AuditLog } from '../log/index.ts';
import type { WindowBook } from '../monitoring/window-book.ts';
import type { DeploymentBook } from '../registry/deployment-book.ts';
import type { HeldModel, ModelBook } from '../registry/model-book.ts';
import { assemble, type Proven } from './assemble.ts';
import type { CountsSigner } from './counts-service.ts';

/** How long a report waits for records to be witnessed (a checkpoint and k cosignatures), by default. */
export const DEFAULT_WITNESS_WAIT_MS = 15_000;
const RETRY_MS = 200;
const COUNTS_TIMEOUT_MS = 10_000;
const PARALLEL = 16;

export interface ReportSubject {
  org: string;
  name: string;
  version?: string;
}

export interface ReportGathererOptions {
  org: string;
  log: Pick<AuditLog, 'record'>;
  models: { readonly book: ModelBook; readonly deployments: DeploymentBook };
  windows: () => WindowBook | undefined;
  witness: { lookup(origin: string, q: { leafHash: Uint8Array }): Promise<CrossOrgBundle> };
  /** The newest roster envelope of each org held here (node/registry/rosters.ts). */
  rosters: { envelope(org: string): Envelope | undefined };
  counts: CountsSigner;
  context(): FederationContext | undefined;
  now: () => Date;
  verify?: Ed25519Verify;
}

interface Item {
  kind: EvidenceKind;
  org: string;
  record: Envelope;
  leaf: GovernanceLeaf;
}

const keyOf = (m: { org: string; name: string; version: string }) => `${m.org}/${m.name}@${m.version}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ReportGatherer {
  readonly #o: ReportGathererOptions;

  constructor(o: ReportGathererOptions) {
    this.#o = o;
  }

  async build(subject: ReportSubject, waitMs = DEFAULT_WITNESS_WAIT_MS): Promise<SignedReport> {
    const ctx = this.#o.context();
    const chain = ctx?.chain();
    if (ctx === undefined || chain === undefined) throw new NodeError('ERR_NO_FEDERATION', 'not in a federation');
    const held = this.#versions(subject);
    const versions = held.map((h) => ({ model: { ...h.registration.predicate.model }, digest: h.digest }));
    const gaps: Report['gaps'] = [];
    const items = [
      ...this.#registryItems(held),
      ...(await this.#deploymentItems(chain, held)),
      ...this.#windowItems(held),
    ];
    items.push(...(await this.#countsItems(ctx, chain, versions, gaps)));
    const deadline = Date.now() + waitMs;
    const proven = await mapLimit(items, PARALLEL, (it) => this.#prove(chain, it, deadline, gaps));
    const at = this.#o.now().toISOString();
    const report = assemble({
      rosters: this.#o.rosters,
      subject,
      ctx,
      chain,
      versions,
      proven: proven.filter((p) => p !== undefined),
      gaps,
      at,
      verify: this.#o.verify,
    });
    const signature = ctx.signAsPeer(REPORT_PAYLOAD_TYPE, reportSignaturePayload(report));
    return { report, signature };
  }

  #versions(s: ReportSubject): HeldModel[] {
    const out = this.#o.models.book
      .all()
      .filter(
        (h) =>
          h.model.org === s.org &&
          h.model.name === s.name &&
          (s.version === undefined || h.model.version === s.version),
      );
    if (out.length === 0) {
      const what = `${s.org}/${s.name}${s.version === undefined ? '' : `@${s.version}`}`;
      throw new NodeError('ERR_NOT_FOUND', `this node holds no registered version of ${what}`);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  #registryItems(held: readonly HeldModel[]): Item[] {
    const out: Item[] = [];
    const add = (kind: Claimed['kind'], env: Envelope) => {
      const c = claimPersonSigned(kind, env);
      out.push({ kind, org: c.maker, record: env, leaf: c.leaf });
    };
    for (const h of held) {
      add('registration', h.envelope);
      for (const c of h.contracts) add('contract', c.envelope);
      for (const a of h.approvals.values()) add('approval', a.envelope);
      for (const r of h.revocations.values()) add('revocation', r.envelope);
    }
    return out;
  }

  /** Every org's deployment records of the versions, their envelopes read back from this node's log. */
  async #deploymentItems(chain: CharterChain, held: readonly HeldModel[]): Promise<Item[]> {
    const keys = new Set(held.map((h) => h.key));
    const book = this.#o.models.deployments;
    const out: Item[] = [];
    for (const m of chain.current.members) {
      for (const { seq } of book.chain(m.org)) {
        const d = book.at(m.org, seq);
        if (d === undefined || !keys.has(keyOf(d.record.model))) continue;
        const bytes = await this.#o.log.record(d.logIndex);
        if (bytes === undefined) continue;
        const env = parseEnvelope(JSON.parse(fromUtf8(bytes)));
        const record = claimedDeployment(env);
        out.push({ kind: 'deployment', org: record.org, record: env, leaf: deploymentLeaf(record) });
      }
    }
    return out;
  }

  #windowItems(held: readonly HeldModel[]): Item[] {
    const book = this.#o.windows();
    if (book === undefined) return [];
    return held.flatMap((h) =>
      book.of(h.key).map((w) => ({
        kind: 'window' as const,
        org: w.window.org,
        record: w.envelope,
        leaf: windowLeaf(w.envelope, w.window),
      })),
    );
  }

  /** Every member's counts statements: this node's directly, the others' over /govfed/report/1.0.0. */
  async #countsItems(
    ctx: FederationContext,
    chain: CharterChain,
    versions: readonly CountsAsked[],
    gaps: Report['gaps'],
  ): Promise<Item[]> {
    const vctx = {
      federation: chain.federationId,
      peerIdOf: (org: string) => chain.current.members.find((m) => m.org === org)?.peerId,
    };
    const digests = new Set(versions.map((v) => v.digest));
    const per = await Promise.all(
      chain.current.members.map(async (m): Promise<Item[]> => {
        try {
          let statements: Envelope[];
          if (m.org === this.#o.org) statements = await this.#o.counts.statements(versions);
          else {
            const res = decodeCountsResponse(
              await ctx.request(
                m.peerId,
                REPORT_PROTOCOL,
                encodeCountsRequest(versions),
                MAX_REPORT_RESPONSE_FRAME,
                COUNTS_TIMEOUT_MS,
              ),
            );
            if (res.type === 'error') throw new NodeError('ERR_PEER_UNAVAILABLE', `${res.code}: ${res.message}`);
            statements = res.statements;
          }
          return statements.map((env) => {
            const c = verifyCounts(env, vctx, this.#o.verify === undefined ? {} : { verify: this.#o.verify });
            if (c.org !== m.org || !digests.has(c.digest)) {
              throw new NodeError('ERR_BAD_PEER_RESPONSE', `${m.org} answered with counts of another org or version`);
            }
            return { kind: 'counts' as const, org: m.org, record: env, leaf: countsLeaf(env, c) };
          });
        } catch (err) {
          gaps.push({ org: m.org, reason: `decision counts not gathered: ${errorText(err)}`.slice(0, 1024) });
          return [];
        }
      }),
    );
    return per.flat();
  }

  /** The item proven in its maker's witnessed log; asked again while not witnessed, until the deadline. */
  async #prove(chain: CharterChain, it: Item, deadline: number, gaps: Report['gaps']): Promise<Proven | undefined> {
    const member = chain.current.members.find((m) => m.org === it.org);
    if (member?.logKey === undefined) {
      gaps.push({ org: it.org, reason: `${it.kind}: ${it.org} is not a member with a log` });
      return undefined;
    }
    const origin = parseLogKey(member.logKey).name;
    const hash = leafHash(encodeLeaf(it.leaf));
    for (;;) {
      try {
        return { ...it, bundle: await this.#o.witness.lookup(origin, { leafHash: hash }) };
      } catch (err) {
        const again = isGovfedError(err) && (err.code === 'ERR_NOT_WITNESSED' || err.code === 'ERR_NOT_FOUND');
        if (!again || Date.now() + RETRY_MS > deadline) {
          gaps.push({
            org: it.org,
            reason: `${it.kind} ${it.leaf.ref ?? ''} not proven: ${errorText(err)}`.slice(0, 1024),
          });
          return undefined;
        }
        await sleep(RETRY_MS);
      }
    }
  }
}

async function mapLimit<T, R>(xs: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(xs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, xs.length) }, async () => {
      while (next < xs.length) {
        const i = next++;
        out[i] = await fn(xs[i] as T);
      }
    }),
  );
  return out;
}
