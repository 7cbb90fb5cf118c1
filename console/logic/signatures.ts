/**
 * Verifying in the browser what the node shows as signed — the charter chain and the members' policy
 * receipts — with the project's own protocol code (as logic/verify.ts does for proofs): esbuild bundles
 * protocol/federation verify.ts and protocol/policy receipt.ts into the console; there is no second
 * verifier.
 *
 * Everything fetched is attacker-controlled (the node may lie). The charter chain is checked from the
 * genesis: its SHA-256 is the federation id — the one the person pins (from a source they trust), else
 * the node's own, and the result says it was not pinned — every founder signed it, and each later
 * version is signed by enough members of the version before (verifyGenesis, verifyNext). The receipts
 * are then checked against the newest charter so verified (verifyReceipt: this federation, a current
 * member, signed by exactly that member's peer key), and what the node's table shows for each member
 * (version, bundle digest) must be what its receipt signs.
 *
 * No DOM here: tested under Node (test/console/logic/signatures.test.ts).
 */
import type { Charter } from '../../protocol/federation/charter.ts';
import type { Envelope } from '../../protocol/federation/envelope.ts';
import { verifyGenesis, verifyNext } from '../../protocol/federation/verify.ts';
import { verifyReceipt } from '../../protocol/policy/receipt.ts';
import type { ConsoleApi } from './api.ts';
import type { ApiOk, Item } from './api-types.ts';

export type State = 'passed' | 'failed' | 'not run';

export interface Failure {
  code: string;
  message: string;
}

const failureOf = (err: unknown): Failure => {
  const code = (err as { code?: unknown }).code;
  return { code: typeof code === 'string' ? code : 'ERR_INTERNAL', message: (err as Error).message ?? String(err) };
};

// ---- the charter chain ----

export interface CharterVersionCheck {
  version: number;
  state: State;
  digest?: string;
  /** genesis, admission, removal or charter: which threshold applied. */
  rule?: string;
  /** The orgs (else peer ids) whose signatures verified. */
  signers: string[];
  error?: Failure;
}

export interface ChainOutcome {
  ok: boolean;
  federationId?: string;
  pinned: boolean;
  versions: CharterVersionCheck[];
  /** The newest verified charter (what receipts are checked against), when the chain verified. */
  charter?: Charter;
  error?: Failure;
}

type ApiCharters = ApiOk<'/v1/federation/charters'>;

/** A charter version as GET /v1/federation/charters serves it (its envelope as protocol/ reads it). */
export type ServedCharter = Pick<Item<ApiCharters['charters']>, 'version' | 'digest'> & { envelope: Envelope };

type ChartersPage = Pick<ApiCharters, 'federationId' | 'version' | 'next'> & { charters: ServedCharter[] };

/** At most this many pages of 100 versions are read. */
const MAX_CHARTER_PAGES = 50;

/** Every version the node serves (GET /v1/federation/charters), oldest first. */
export async function loadCharters(
  api: Pick<ConsoleApi, 'json'>,
): Promise<{ federationId: string; charters: ServedCharter[] }> {
  const charters: ServedCharter[] = [];
  let from = 1;
  let federationId = '';
  for (let i = 0; i < MAX_CHARTER_PAGES; i++) {
    const page = await api.json<ChartersPage>(`/v1/federation/charters?from=${from}`);
    federationId = page.federationId;
    charters.push(...page.charters);
    if (page.next === undefined) break;
    from = page.next;
  }
  return { federationId, charters };
}

const nameOf = (members: readonly { org: string; peerId: string }[], peerId: string) =>
  members.find((m) => m.peerId === peerId)?.org ?? peerId;

/**
 * Verifies served charter versions 1..n against `federationId` (pinned, or the node's). Stops at the
 * first version that fails; the later ones did not run. `headDigest`: what the node's status says its
 * charter is — the chain must end there.
 */
export function verifyCharterChain(
  served: readonly ServedCharter[],
  federationId: string,
  pinned: boolean,
  head?: { version: number; digest: string },
): ChainOutcome {
  const versions: CharterVersionCheck[] = served.map((s) => ({ version: s.version, state: 'not run', signers: [] }));
  const fail = (i: number, error: Failure): ChainOutcome => {
    const v = versions[i];
    if (v !== undefined) {
      v.state = 'failed';
      v.error = error;
    }
    return { ok: false, federationId, pinned, versions, error };
  };
  if (served.length === 0) return fail(0, { code: 'ERR_INVALID_INPUT', message: 'the node served no charter' });
  let prev: Charter | undefined;
  for (const [i, s] of served.entries()) {
    const v = versions[i] as CharterVersionCheck;
    try {
      const checked = prev === undefined ? verifyGenesis(s.envelope, federationId) : verifyNext(prev, s.envelope);
      if (checked.charter.version !== s.version || checked.digest !== s.digest) {
        return fail(i, {
          code: 'ERR_CHARTER_MISMATCH',
          message: `the node lists version ${s.version} (${s.digest}), its envelope signs version ${checked.charter.version} (${checked.digest})`,
        });
      }
      v.state = 'passed';
      v.digest = checked.digest;
      v.rule = checked.rule;
      const members = [...(prev?.members ?? []), ...checked.charter.members];
      v.signers = checked.signedBy.map((p) => nameOf(members, p));
      prev = checked.charter;
    } catch (err) {
      return fail(i, failureOf(err));
    }
  }
  const last = versions.at(-1) as CharterVersionCheck;
  if (head !== undefined && (head.version !== last.version || head.digest !== last.digest)) {
    return {
      ok: false,
      federationId,
      pinned,
      versions,
      error: {
        code: 'ERR_CHARTER_MISMATCH',
        message: `the node's status names charter version ${head.version} (${head.digest}), the chain it served ends at ${last.version} (${last.digest})`,
      },
    };
  }
  return { ok: true, federationId, pinned, versions, ...(prev === undefined ? {} : { charter: prev }) };
}

/** Loads and verifies the charter chain; `pin`: a federation id from a source the person trusts. */
export async function checkCharters(api: Pick<ConsoleApi, 'json'>, pin?: string): Promise<ChainOutcome> {
  try {
    const [{ federationId, charters }, status] = await Promise.all([
      loadCharters(api),
      api.json<{ charterVersion?: number; charterDigest?: string }>('/v1/federation'),
    ]);
    const head =
      typeof status.charterVersion === 'number' && typeof status.charterDigest === 'string'
        ? { version: status.charterVersion, digest: status.charterDigest }
        : undefined;
    return verifyCharterChain(charters, pin ?? federationId, pin !== undefined, head);
  } catch (err) {
    return { ok: false, pinned: pin !== undefined, versions: [], error: failureOf(err) };
  }
}

// ---- policy receipts ----

export type ReceiptStepId = 'shape' | 'federation' | 'member' | 'signature' | 'shown';

export const RECEIPT_STEPS: readonly { id: ReceiptStepId; label: string }[] = [
  { id: 'shape', label: 'a receipt envelope: one signature, a well-formed canonical receipt' },
  { id: 'federation', label: 'of this federation (the verified charter chain’s id)' },
  { id: 'member', label: 'it names a current member, and that member’s peer key signed it' },
  { id: 'signature', label: 'the Ed25519 signature verifies' },
  { id: 'shown', label: 'what the node shows (org, version, bundle digest) is what the receipt signs' },
];

const RECEIPT_STEP_OF_CODE: Readonly<Record<string, ReceiptStepId>> = {
  ERR_MALFORMED_ENVELOPE: 'shape',
  ERR_PAYLOAD_TYPE_MISMATCH: 'shape',
  ERR_MALFORMED_RECEIPT: 'shape',
  ERR_NOT_CANONICAL: 'shape',
  ERR_FEDERATION_MISMATCH: 'federation',
  ERR_UNKNOWN_SIGNER: 'member',
  ERR_BAD_SIGNATURE: 'signature',
  ERR_RECEIPT_MISMATCH: 'shown',
};

export interface MemberRow {
  org: string;
  peerId: string;
  version: number | null;
  bundleHash: string | null;
  receipt: unknown;
}

export interface ReceiptCheck {
  org: string;
  /** 'none': the member has no receipt to check. */
  verdict: 'verified' | 'failed' | 'none';
  steps: { id: ReceiptStepId; label: string; state: State }[];
  signed?: { version: number; bundleHash: string; logIndex: number; appliedAt: string };
  error?: Failure;
}

/** The steps with their states: all passed, or those before `code`'s step passed and it failed. */
export function receiptSteps(failedCode?: string): ReceiptCheck['steps'] {
  if (failedCode === undefined) return RECEIPT_STEPS.map((s) => ({ ...s, state: 'passed' }));
  const at = RECEIPT_STEP_OF_CODE[failedCode];
  const i = at === undefined ? -1 : RECEIPT_STEPS.findIndex((s) => s.id === at);
  return RECEIPT_STEPS.map((s, j) => ({
    ...s,
    state: i < 0 ? 'not run' : j < i ? 'passed' : j === i ? 'failed' : 'not run',
  }));
}

/** Checks one member's receipt (attacker-controlled) against a verified charter of `federationId`. */
export function verifyMemberReceipt(row: MemberRow, charter: Charter, federationId: string): ReceiptCheck {
  if (row.receipt === null || row.receipt === undefined) {
    return { org: row.org, verdict: 'none', steps: RECEIPT_STEPS.map((s) => ({ ...s, state: 'not run' })) };
  }
  try {
    const r = verifyReceipt(row.receipt as Envelope, charter, federationId);
    const signed = { version: r.version, bundleHash: r.bundleHash, logIndex: r.logIndex, appliedAt: r.appliedAt };
    if (r.org !== row.org || r.peerId !== row.peerId || r.version !== row.version || r.bundleHash !== row.bundleHash) {
      const error = {
        code: 'ERR_RECEIPT_MISMATCH',
        message:
          `the node's status shows ${row.org} at version ${row.version} (${row.bundleHash}), ` +
          `the receipt signs ${r.org} at version ${r.version} (${r.bundleHash})`,
      };
      return { org: row.org, verdict: 'failed', steps: receiptSteps(error.code), signed, error };
    }
    return { org: row.org, verdict: 'verified', steps: receiptSteps(), signed };
  } catch (err) {
    const error = failureOf(err);
    return { org: row.org, verdict: 'failed', steps: receiptSteps(error.code), error };
  }
}

export interface ReceiptsOutcome {
  chain: ChainOutcome;
  receipts: ReceiptCheck[];
}

/** Verifies the charter chain, then every member's receipt of GET /v1/policy/status against it. */
export async function checkReceipts(api: Pick<ConsoleApi, 'json'>, pin?: string): Promise<ReceiptsOutcome> {
  const [chain, status] = await Promise.all([
    checkCharters(api, pin),
    api.json<{ members: MemberRow[] }>('/v1/policy/status'),
  ]);
  if (!chain.ok || chain.charter === undefined || chain.federationId === undefined) {
    return { chain, receipts: [] };
  }
  const { charter, federationId } = chain;
  return { chain, receipts: status.members.map((m) => verifyMemberReceipt(m, charter, federationId)) };
}
