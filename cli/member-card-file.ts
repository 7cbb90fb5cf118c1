/**
 * Reading a member card file for `federation invite --card` (and showing one): the file is read
 * (ERR_READ_FILE when it cannot be) and verified by its signature with protocol/ alone — a tampered
 * card, a card signed by another key or one that is not a card fails with the protocol's code (exit 1).
 */
import { open } from 'node:fs/promises';
import type { MemberCard } from '../protocol/federation/member-card.ts';
import { MAX_MEMBER_CARD_BYTES, verifyMemberCard } from '../protocol/federation/member-card.ts';
import { CliError, ExitCode } from './exit.ts';
import { formatKeyValues } from './output.ts';

/** Reads and verifies the card at `file` (attacker-controlled content). */
export async function readMemberCardFile(command: string, file: string): Promise<MemberCard> {
  let bytes: Uint8Array;
  try {
    // Read at most one byte more than a card may have: a huge file is refused without loading it.
    const fh = await open(file, 'r');
    try {
      const buf = new Uint8Array(MAX_MEMBER_CARD_BYTES + 1);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      bytes = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (cause) {
    throw new CliError(
      ExitCode.ERROR,
      `${command}: cannot read the member card '${file}': ${(cause as Error).message}`,
      {
        code: 'ERR_READ_FILE',
        cause,
      },
    );
  }
  if (bytes.length > MAX_MEMBER_CARD_BYTES) {
    throw new CliError(
      ExitCode.CHECK_FAILED,
      `${command}: '${file}' is larger than a member card (${MAX_MEMBER_CARD_BYTES} bytes)`,
      { code: 'ERR_MALFORMED_MEMBER_CARD' },
    );
  }
  return verifyMemberCard(bytes);
}

/** A card for people: one field a line. */
export function formatMemberCard(card: MemberCard): string {
  return formatKeyValues([
    ['org', card.org],
    ['jurisdiction', card.jurisdiction],
    ['peer id', card.peerId],
    ['log key', card.logKey ?? '(none: its entries cannot be proven to others)'],
    ['witness key', card.witnessKey ?? '(none: it cannot cosign)'],
    ['addresses', card.addresses.length === 0 ? '(none: found when it dials members)' : card.addresses.join(' ')],
    ['created', card.createdAt],
  ]);
}
