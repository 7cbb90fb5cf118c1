/**
 * What `govfed model register`, `model approve` and `contract attach` share: a person's key file, who the node's rosters
 * say that key is, and the federation facts a signed record names. The private key stays on this
 * machine; only the signed envelope goes to the node.
 */
import { readIdentityKey } from '../node/registry/identity-key.ts';
import type { DsseSigner, Envelope } from '../protocol/dsse/index.ts';
import { keyIdOf } from '../protocol/dsse/index.ts';
import { fromBase64 } from '../protocol/encoding/bytes.ts';
import type { Baseline } from '../protocol/monitoring/baseline.ts';
import { decodeBaselineEnvelope } from '../protocol/policy/baseline.ts';
import {
  CONTRACT_ROLES,
  type ContractPredicate,
  type ContractTerms,
  type HeldBaseline,
  type ModelCard,
  type RegistrationPredicate,
  scoreRisk,
  signContract,
  signRegistration,
} from '../protocol/registry/index.ts';
import type { ApiClient } from './client.ts';
import { CliError, ExitCode, UsageError } from './exit.ts';

export interface Signer {
  signer: DsseSigner;
  keyid: string;
  person: { org: string; name: string; role: string };
  federationId: string;
  /** The org of the node the CLI talks to, and the charter's jurisdiction of each member. */
  org: string;
  jurisdictions: Record<string, string>;
}

/** The person's key file: a file that cannot be read is the user's mistake (exit 2), named. */
async function readKey(file: string) {
  try {
    return await readIdentityKey(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === undefined || !/^E[A-Z]+$/.test(code)) throw cause;
    throw new UsageError(`--key ${file}: cannot read it (${code}); give the key file govfed identity create wrote`, {
      cause,
    });
  }
}

/**
 * Reads the key FILE and finds its person in the roster of `org` (default: the node's own org) as the
 * node holds it. ERR_NOT_IN_ROSTER (exit 1) when nobody there has that key.
 */
export async function personSigner(client: ApiClient, keyFile: string, org?: string): Promise<Signer> {
  const key = await readKey(keyFile);
  const fed = await client.federation();
  if (fed.federated !== true || typeof fed.id !== 'string') {
    throw new CliError(ExitCode.ERROR, 'the node is not in a federation: create or join one first', {
      code: 'ERR_NO_FEDERATION',
    });
  }
  const ownOrg = (await client.node()).org;
  const jurisdictions: Record<string, string> = {};
  for (const m of fed.members as Record<string, unknown>[]) {
    if (typeof m.org === 'string' && typeof m.jurisdiction === 'string') jurisdictions[m.org] = m.jurisdiction;
  }
  const rosterOrg = org ?? ownOrg;
  const roster = await client.identities('GET', `?org=${encodeURIComponent(rosterOrg)}`);
  const people = Array.isArray(roster.people) ? (roster.people as Record<string, unknown>[]) : [];
  const found = people.find((p) => typeof p.publicKey === 'string' && keyIdOf(fromBase64(p.publicKey)) === key.keyid);
  if (found === undefined) {
    throw new CliError(
      ExitCode.CHECK_FAILED,
      `the key in ${keyFile} is not on ${rosterOrg}'s roster as this node holds it (govfed identity list --org ${rosterOrg})`,
      { code: 'ERR_NOT_IN_ROSTER' },
    );
  }
  return {
    signer: { keyid: key.keyid, seed: key.seed },
    keyid: key.keyid,
    person: { org: rosterOrg, name: String(found.name), role: String(found.role) },
    federationId: fed.id,
    org: ownOrg,
    jurisdictions,
  };
}

/** What a registration says of the model: its identity and how it is known. */
export interface ModelIdentity {
  digest: string;
  assurance: 'files' | 'opaque';
  external?: { provider: string; model: string; snapshot: string };
  oms?: 'key' | 'certificate';
}

/**
 * The registration of `ref` by the person `who`: scored under `held` (the baseline the node enforces
 * now; undefined: none) for the registering org and its charter jurisdiction, then signed with their key.
 * The CLI (`model register`), the demo and the bench all register this way.
 */
export function signedRegistration(o: {
  who: Pick<Signer, 'signer' | 'person' | 'federationId'>;
  ref: { org: string; name: string; version: string };
  jurisdiction: string;
  model: ModelIdentity;
  card: ModelCard | undefined;
  held: HeldBaseline | undefined;
  /** The monitoring baseline to commit with the version (psi, ks; docs/monitoring.md). */
  baseline?: Baseline | undefined;
  now?: Date;
}): { envelope: Envelope; predicate: RegistrationPredicate } {
  const risk = scoreRisk(
    o.held,
    o.card,
    { ...o.ref, digest: o.model.digest, assurance: o.model.assurance },
    { org: o.ref.org, jurisdiction: o.jurisdiction },
  );
  const predicate: RegistrationPredicate = {
    federation: o.who.federationId,
    model: o.ref,
    assurance: o.model.assurance,
    ...(o.model.external === undefined ? {} : { external: o.model.external }),
    ...(o.card === undefined ? {} : { card: o.card }),
    risk,
    ...(o.model.oms === undefined ? {} : { oms: { method: o.model.oms } }),
    ...(o.baseline === undefined ? {} : { baseline: o.baseline }),
    submitter: { name: o.who.person.name, role: o.who.person.role },
    registeredAt: (o.now ?? new Date()).toISOString(),
  };
  return { envelope: signRegistration(o.model.digest, predicate, o.who.signer), predicate };
}

/** The baseline a node enforces now, from GET /v1/policy (undefined: none applied). */
export function heldBaselineOf(policy: Record<string, unknown>): HeldBaseline | undefined {
  if (policy.envelope === null || policy.envelope === undefined) return undefined;
  const { bundle } = decodeBaselineEnvelope(policy.envelope);
  return { baseline: bundle, digest: String(policy.digest) };
}

/**
 * Contract version `version` of the model version `model` (its digest as the registry holds it) by the
 * person `who`, naming `previous` (`sha256:<id>` of the version before; none for version 1). A person whose
 * role may not sign contracts is told so here, before anything is sent (ERR_NOT_IN_ROSTER, exit 1).
 */
export function signedContract(o: {
  who: Pick<Signer, 'signer' | 'person' | 'federationId'>;
  model: { org: string; name: string; version: string; digest: string };
  version: number;
  previous?: string | undefined;
  terms: ContractTerms;
  now?: Date;
}): Envelope {
  if (!CONTRACT_ROLES.includes(o.who.person.role)) {
    throw new CliError(
      ExitCode.CHECK_FAILED,
      `${o.who.person.name} is a ${o.who.person.role}: a contract is signed by a ${CONTRACT_ROLES.join(', ')} of ${o.model.org}`,
      { code: 'ERR_NOT_IN_ROSTER' },
    );
  }
  const predicate: ContractPredicate = {
    federation: o.who.federationId,
    model: { org: o.model.org, name: o.model.name, version: o.model.version },
    version: o.version,
    ...(o.previous === undefined ? {} : { previous: o.previous }),
    terms: o.terms,
    signer: { name: o.who.person.name, role: o.who.person.role },
    issuedAt: (o.now ?? new Date()).toISOString(),
  };
  return signContract(o.model.digest, predicate, o.who.signer);
}
