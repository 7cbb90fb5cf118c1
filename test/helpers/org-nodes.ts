/**
 * The named daemons of an integration suite (test/integration/{federation,policy,witness}.test.ts):
 * one real daemon per org, started together in beforeAll, looked up by org, torn down together in
 * afterAll; and the CLI invite → join step by which each suite admits them.
 */
import { removeDir } from './cli.ts';
import { killAllDaemons } from './daemon.ts';
import { type FedNode, fedCli, invitePath, startFedNode } from './federation.ts';

/** [org, jurisdiction] of each node, in the suite's order. */
export type Orgs = readonly (readonly [org: string, jurisdiction: string])[];

export class OrgNodes {
  readonly orgs: Orgs;
  readonly #nodes: Record<string, FedNode> = {};

  constructor(orgs: Orgs) {
    this.orgs = orgs;
  }

  /** The started node of `org`. */
  readonly node = (org: string): FedNode => {
    const n = this.#nodes[org];
    if (n === undefined) throw new Error(`OrgNodes: no started node for ${org}`);
    return n;
  };

  /** Every node, in the order of `orgs`. */
  readonly all = (): FedNode[] => this.orgs.map(([o]) => this.node(o));

  /** The jurisdiction `orgs` gives `org`. */
  jurisdiction(org: string): string {
    const entry = this.orgs.find(([o]) => o === org);
    if (entry === undefined) throw new Error(`OrgNodes: unknown org ${org}`);
    return entry[1];
  }

  /** Inits and starts one daemon per org, all at once (beforeAll). */
  async start(): Promise<void> {
    const started = await Promise.all(this.orgs.map(([org, j]) => startFedNode(org, j)));
    for (const n of started) this.#nodes[n.org] = n;
  }

  /** Kills every daemon and removes the nodes' temp directories (afterAll). */
  async stop(): Promise<void> {
    await killAllDaemons();
    await Promise.all(Object.values(this.#nodes).map((n) => removeDir(n.tmp)));
  }
}

/**
 * `inviter` invites `invitee` with `govfed federation invite` (with `--jurisdiction` when given) and
 * `invitee` joins with the file (`govfed federation join`), unless `join` is false. Resolves with the
 * invite file's path.
 */
export async function inviteByCli(
  inviter: FedNode,
  invitee: FedNode,
  opts: { jurisdiction?: string; join?: boolean } = {},
): Promise<string> {
  const file = invitePath(inviter, invitee.org);
  await fedCli(inviter, [
    'invite',
    '--org',
    invitee.org,
    '--peer-id',
    invitee.init.peerId,
    ...(opts.jurisdiction === undefined ? [] : ['--jurisdiction', opts.jurisdiction]),
    '--out',
    file,
  ]);
  if (opts.join !== false) await fedCli(invitee, ['join', file]);
  return file;
}
