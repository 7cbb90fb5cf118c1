/**
 * What a node checks before it signs the charter change that admits it, beyond what the invite proves
 * (protocol/federation/invite.ts verifyInvite): the entry it is about to sign must describe this node
 * as its own config does: its keys and its jurisdiction. The charter is what other orgs read (whose rules,
 * whose courts), so a node that would be listed under another jurisdiction than it declares refuses,
 * before anything is stored or sent, and says how to fix it.
 */

import { GovfedError } from '../../protocol/errors.ts';
import type { Invitee } from '../../protocol/federation/invite.ts';
import { NodeError } from '../errors.ts';
import type { NodeConfig } from '../home/config.ts';

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
