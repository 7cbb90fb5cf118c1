/**
 * Fetching the node's latest checkpoint and opening it under a verifier key, for the commands that show
 * or use one. The note comes from the network (attacker-controlled): it is only reported as a checkpoint
 * after protocol/note openCheckpoint has verified the signature and the origin.
 */
import { opensslVerify } from '../node/crypto/ed25519.ts';
import { type Checkpoint, openCheckpoint, parseVerifierKey } from '../protocol/note/index.ts';
import type { ApiClient } from './client.ts';
import { CheckFailedError } from './exit.ts';

export interface VerifiedCheckpoint {
  note: string;
  checkpoint: Checkpoint;
}

/** Opens `note` under `verifierKey`; a failure is a failed check (exit 1). */
export function openNoteUnder(note: string, verifierKey: string): VerifiedCheckpoint {
  try {
    const { checkpoint } = openCheckpoint(note, parseVerifierKey(verifierKey, { verify: opensslVerify }));
    return { note, checkpoint };
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new CheckFailedError(`the node's checkpoint does not verify: ${(err as Error).message}`, {
      ...(code === undefined ? {} : { code }),
      cause: err,
    });
  }
}

/** GET /v1/log/checkpoint, verified. */
export async function latestCheckpoint(client: ApiClient, verifierKey: string): Promise<VerifiedCheckpoint> {
  return openNoteUnder(await client.checkpoint(), verifierKey);
}

/**
 * The key to verify the node's signatures with: the one in the local home (pinned at init) when there is
 * one — and then the node must report the same — else the one the node reports about itself.
 */
export function chooseVerifierKey(pinned: string | undefined, reported: string): string {
  if (pinned !== undefined && pinned !== reported) {
    throw new CheckFailedError(
      `the node reports verifier key ${reported}, but the home directory pins ${pinned}; this is not the node you think`,
      { code: 'ERR_UNKNOWN_KEY' },
    );
  }
  return pinned ?? reported;
}
