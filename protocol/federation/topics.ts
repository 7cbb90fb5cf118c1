/**
 * Names on the wire: gossipsub topics and the sync protocol id.
 *
 *     topic = "/govfed/" + federationId + "/" + kind + "/1"
 *
 * `federationId` is the 64-hex federation id, `kind` a gossip kind (`charter`, `proposal`; later
 * `policy`, `checkpoint`, …) and the trailing `1` the gossip message format version (bumped, never
 * reused, when the payload format changes incompatibly, so old and new nodes do not share a topic).
 */
import { GovfedError } from '../errors.ts';
import { isFederationId } from './charter.ts';

/** The anti-entropy request/response protocol (libp2p protocol id, versioned). */
export const SYNC_PROTOCOL = '/govfed/sync/1.0.0';
/** The gossip payload format version carried in topic names. */
export const GOSSIP_TOPIC_VERSION = 1;
/** Gossip kinds defined today; later issues add more (the syntax below stays the rule). */
export const GOSSIP_KINDS = [
  'charter',
  'proposal',
  'policy',
  'policy-receipt',
  'checkpoint',
  'alert',
  'withdrawal',
  'freshness',
  'roster',
  'model',
  'approval',
  'contract',
  'revocation',
  'deployment',
  'monitor-window',
] as const;
/** A kind: lowercase word(s) joined by '-', 1..32 characters. */
export const KIND_PATTERN = '^[a-z][a-z0-9-]{0,31}$';
const KIND_RE = new RegExp(KIND_PATTERN);

export function isKind(v: unknown): v is string {
  return typeof v === 'string' && KIND_RE.test(v);
}

/** `/govfed/<federationId>/<kind>/1`. Throws ERR_INVALID_INPUT for a malformed id or kind. */
export function topicFor(federationId: string, kind: string): string {
  if (!isFederationId(federationId)) throw new GovfedError('ERR_INVALID_INPUT', 'topic: federation id must be 64 hex');
  if (!isKind(kind)) throw new GovfedError('ERR_INVALID_INPUT', `topic: kind must match ${KIND_PATTERN}`);
  return `/govfed/${federationId}/${kind}/${GOSSIP_TOPIC_VERSION}`;
}

/** The inverse of topicFor, or undefined for any other string (attacker-controlled topic names). */
export function parseTopic(topic: string): { federationId: string; kind: string } | undefined {
  const m = /^\/govfed\/([0-9a-f]{64})\/([a-z][a-z0-9-]{0,31})\/1$/.exec(topic);
  return m ? { federationId: m[1] as string, kind: m[2] as string } : undefined;
}
