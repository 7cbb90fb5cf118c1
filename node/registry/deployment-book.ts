/**
 * DeploymentBook: every member org's deployment records this node holds (protocol/registry/deployment.ts)
 * and what follows from them — which org runs which model version, live or in shadow mode, since when,
 * under which contract. Each org's records form a chain (seq 1, 2, …); the newest deploy or undeploy of
 * a version by an org decides whether that org runs it; a refusal changes nothing but is kept (it is
 * evidence of the gate working). Bounded: MAX_DEPLOYMENTS_PER_ORG records per org.
 */
import { type Deployment, deploymentDigest, type ModelRef } from '../../protocol/registry/index.ts';
import { NodeError } from '../errors.ts';
import { modelKey } from './model-book.ts';

export const MAX_DEPLOYMENTS_PER_ORG = 100_000;

export interface HeldDeployment {
  record: Deployment;
  digest: string;
  logIndex: number;
}

/** One org running one version. */
export interface Running {
  org: string;
  model: ModelRef;
  digest: string;
  shadow: boolean;
  since: string;
  contract?: string;
  seq: number;
  logIndex: number;
}

export class DeploymentBook {
  readonly #chains = new Map<string, HeldDeployment[]>();
  /** `deployingOrg\nmodelKey` → the newest deploy/undeploy record. */
  readonly #latest = new Map<string, HeldDeployment>();
  readonly #onChange: () => void;

  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  clear(): void {
    this.#chains.clear();
    this.#latest.clear();
    this.#onChange();
  }

  /** `org`'s records, seq 1 first (what deploymentFollows checks against). */
  chain(org: string): readonly { seq: number; digest: string }[] {
    return (this.#chains.get(org) ?? []).map((h) => ({ seq: h.record.seq, digest: h.digest }));
  }

  /** `org`'s record number `seq`. */
  at(org: string, seq: number): HeldDeployment | undefined {
    return this.#chains.get(org)?.[seq - 1];
  }

  /** `org`'s newest record (to chain the next one to). */
  last(org: string): HeldDeployment | undefined {
    return this.#chains.get(org)?.at(-1);
  }

  add(record: Deployment, logIndex: number): HeldDeployment {
    const chain = this.#chains.get(record.org) ?? [];
    if (chain.length >= MAX_DEPLOYMENTS_PER_ORG) {
      throw new NodeError(
        'ERR_REGISTRY_FULL',
        `${record.org} has ${MAX_DEPLOYMENTS_PER_ORG} deployment records already`,
      );
    }
    const held: HeldDeployment = { record, digest: deploymentDigest(record), logIndex };
    chain.push(held);
    this.#chains.set(record.org, chain);
    if (record.action !== 'refused') this.#latest.set(`${record.org}\n${modelKey(record.model)}`, held);
    this.#onChange();
    return held;
  }

  /** Whether `org` runs the version `key` now: 'live', 'shadow', or undefined. */
  mode(org: string, key: string): 'live' | 'shadow' | undefined {
    const h = this.#latest.get(`${org}\n${key}`);
    if (h === undefined || h.record.action !== 'deploy') return undefined;
    return h.record.shadow ? 'shadow' : 'live';
  }

  /** Every version running, by any org (optionally only `org`'s, or only of the version `key`). */
  running(filter: { org?: string; key?: string } = {}): Running[] {
    const out: Running[] = [];
    for (const h of this.#latest.values()) {
      const r = h.record;
      if (r.action !== 'deploy') continue;
      if (filter.org !== undefined && r.org !== filter.org) continue;
      if (filter.key !== undefined && modelKey(r.model) !== filter.key) continue;
      out.push({
        org: r.org,
        model: r.model,
        digest: r.digest,
        shadow: r.shadow,
        since: r.time,
        ...(r.contract === undefined ? {} : { contract: r.contract }),
        seq: r.seq,
        logIndex: h.logIndex,
      });
    }
    return out.sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
  }

  /** `org`'s refusals, newest first (at most `limit`). */
  refusals(org: string, limit = 100): HeldDeployment[] {
    return (this.#chains.get(org) ?? [])
      .filter((h) => h.record.action === 'refused')
      .slice(-limit)
      .reverse();
  }
}
