/**
 * The two ends of an invite: what the inviter puts in it besides the proposal (its bootstrap addresses),
 * and what a node checks before it signs the charter change that admits it, beyond what the invite proves
 * (protocol/federation/invite.ts verifyInvite): the entry it is about to sign must describe this node
 * as its own config does: its keys and its jurisdiction. The charter is what other orgs read (whose rules,
 * whose courts), so a node that would be listed under another jurisdiction than it declares refuses,
 * before anything is stored or sent, and says how to fix it.
 */

import { GovfedError } from '../../protocol/errors.ts';
import {
  BOOTSTRAP_PATTERN,
  type CharterChain,
  type Invitee,
  MAX_BOOTSTRAP_ADDRS,
} from '../../protocol/federation/index.ts';
import { shuffle } from '../chain/index.ts';
import { NodeError } from '../errors.ts';
import type { NodeConfig } from '../home/config.ts';
import type { FederationCore } from './core.ts';

/** Members besides the inviter named as bootstrap peers in an invite. */
export const INVITE_EXTRA_PEERS = 1;
const MULTIADDR_RE = new RegExp(BOOTSTRAP_PATTERN);

/** Throws ERR_JURISDICTION_MISMATCH when the invite admits this node under another jurisdiction. */
export function checkJoinJurisdiction(invitee: Invitee, config: Pick<NodeConfig, 'jurisdiction'>, home: string): void {
  if (invitee.jurisdiction === config.jurisdiction) return;
  throw new NodeError(
    'ERR_JURISDICTION_MISMATCH',
    `the invite admits this node with jurisdiction ${invitee.jurisdiction}, but its config says ${config.jurisdiction}: ` +
      `ask the inviter for a new invite from this node's member card (govfed federation invite --card), ` +
      `or, if ${invitee.jurisdiction} is right, run govfed config set --home ${home} jurisdiction ${invitee.jurisdiction} and restart the node`,
  );
}

/** Throws ERR_MALFORMED_INVITE when the invite lists a log or witness key that is not this node's. */
export function checkJoinKeys(invitee: Invitee, config: Pick<NodeConfig, 'verifierKey' | 'witnessKey'>): void {
  if (
    (invitee.logKey !== undefined && invitee.logKey !== config.verifierKey) ||
    (invitee.witnessKey !== undefined && invitee.witnessKey !== config.witnessKey)
  ) {
    throw new GovfedError('ERR_MALFORMED_INVITE', "the invite lists a log or witness key that is not this node's");
  }
}

/**
 * The invite's bootstrap addresses: the inviter's own first, then those of up to INVITE_EXTRA_PEERS
 * other members it knows (random), so newcomers join a mesh rather than a star, without every node
 * connecting to every other.
 */
export function inviteBootstrap(core: FederationCore, chain: CharterChain, own: readonly string[]): string[] {
  const others = Object.entries(core.addresses).filter(([p]) => p !== core.peerId && chain.isMember(p));
  const known = shuffle(others)
    .slice(0, INVITE_EXTRA_PEERS)
    .flatMap(([, addrs]) => addrs.slice(0, 2));
  return [...new Set([...own, ...known])]
    .filter((a) => MULTIADDR_RE.test(a) && !a.includes('/ip4/0.0.0.0/'))
    .slice(0, MAX_BOOTSTRAP_ADDRS);
}
