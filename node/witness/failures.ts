/** Error helpers shared by the witness parts. */
import { isGovfedError } from '../../protocol/errors.ts';
import { NodeError } from '../errors.ts';

/** `CODE: message` of a GovfedError, the message of any other error (for events and relayed answers). */
export function errorText(err: unknown): string {
  if (isGovfedError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** ERR_BAD_PEER_RESPONSE: the node serving `origin`'s log answered something that does not verify. */
export function badPeer(origin: string, what: string, cause?: unknown): NodeError {
  return new NodeError(
    'ERR_BAD_PEER_RESPONSE',
    `the node of ${origin}: ${what}`,
    cause === undefined ? undefined : { cause },
  );
}
