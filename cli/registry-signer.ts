/**
 * What `govfed model register` and `model approve` share: a person's key file, who the node's rosters
 * say that key is, and the federation facts a signed record names. The private key stays on this
 * machine; only the signed envelope goes to the node.
 */
import { readIdentityKey } from '../node/registry/identity-key.ts';
import type { DsseSigner } from '../protocol/dsse/index.ts';
import { keyIdOf } from '../protocol/dsse/index.ts';
import { fromBase64 } from '../protocol/encoding/bytes.ts';
import type { ApiClient } from './client.ts';
import { CliError, ExitCode } from './exit.ts';

export interface Signer {
  signer: DsseSigner;
  keyid: string;
  person: { org: string; name: string; role: string };
  federationId: string;
  /** The org of the node the CLI talks to, and the charter's jurisdiction of each member. */
  org: string;
  jurisdictions: Record<string, string>;
}

/**
 * Reads the key FILE and finds its person in the roster of `org` (default: the node's own org) as the
 * node holds it. ERR_NOT_IN_ROSTER (exit 1) when nobody there has that key.
 */
export async function personSigner(client: ApiClient, keyFile: string, org?: string): Promise<Signer> {
  const key = await readIdentityKey(keyFile);
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
