/**
 * DIR/member-card.json: the node's member card (protocol/federation/member-card.ts), signed with its
 * peer key and re-written from config.json whenever the config changes (`govfed init`,
 * `govfed config set`, `govfed member card`). It is public, like config.json: the operator hands it to
 * an inviter, who runs `govfed federation invite --card FILE`.
 *
 * Addresses: config.listen plus /p2p/<peer id> when that is an address others can dial — a concrete host
 * and port. A wildcard host (0.0.0.0, ::) or port 0 gives no address, and the card carries none
 * (`addresses: []`); the node is then found when it dials the members named in its invite.
 */
import { readFile } from 'node:fs/promises';
import type { VerifyOptions } from '../../protocol/crypto/ed25519.ts';
import { utf8 } from '../../protocol/encoding/bytes.ts';
import {
  encodeMemberCard,
  isMemberMultiaddr,
  type MemberCard,
  signMemberCard,
  verifyMemberCard,
} from '../../protocol/federation/index.ts';
import { homePaths, type NodeConfig, readConfig } from './config.ts';
import { writeFileAtomic } from './fs.ts';
import { peerSeedOfKey } from './keys.ts';
import { checkPrivateFile } from './permissions.ts';

export const MEMBER_CARD_FILE = 'member-card.json';

/** The dialable addresses of `listen` for `peerId`: [] for a wildcard host or port 0. */
export function cardAddresses(listen: string, peerId: string): string[] {
  const m = /^\/(ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/(\d{1,5})$/.exec(listen);
  if (m === null) return [];
  const [, , host, port] = m;
  if (host === '0.0.0.0' || host === '::' || port === '0') return [];
  const addr = `${listen}/p2p/${peerId}`;
  return isMemberMultiaddr(addr) ? [addr] : [];
}

export interface WrittenCard {
  /** Absolute path of DIR/member-card.json. */
  path: string;
  card: MemberCard;
  /** The file's text (a DSSE envelope, indented). */
  text: string;
}

/** Signs the card of `config` with the home's peer key (keys/peer.key). */
export async function makeMemberCard(
  dir: string,
  config: NodeConfig,
  now: Date = new Date(),
  opts: VerifyOptions = {},
): Promise<{ card: MemberCard; text: string }> {
  const paths = homePaths(dir);
  await checkPrivateFile(paths.peerKey);
  const seed = peerSeedOfKey(new Uint8Array(await readFile(paths.peerKey)));
  const env = signMemberCard(
    {
      org: config.org,
      jurisdiction: config.jurisdiction,
      peerId: config.peerId,
      logKey: config.verifierKey,
      ...(config.witnessKey === undefined ? {} : { witnessKey: config.witnessKey }),
      addresses: cardAddresses(config.listen, config.peerId),
      createdAt: `${now.toISOString().slice(0, 19)}Z`,
    },
    seed,
    opts,
  );
  const text = encodeMemberCard(env);
  return { card: verifyMemberCard(utf8(text), opts), text };
}

/** (Re-)writes DIR/member-card.json from the current config.json (or `config`), atomically, mode 0644. */
export async function writeMemberCard(dir: string, config?: NodeConfig): Promise<WrittenCard> {
  const c = config ?? (await readConfig(dir));
  const { card, text } = await makeMemberCard(dir, c);
  const path = homePaths(dir).memberCard;
  await writeFileAtomic(path, text, 0o644);
  return { path, card, text };
}
