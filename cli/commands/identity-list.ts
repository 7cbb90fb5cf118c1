/**
 * `govfed identity list [--org ORG] [--home DIR] [--json]` — an org's roster as this node holds it
 * (GET /v1/identities): people with their role and key id, and the revoked.
 */

import { keyIdOf } from '../../protocol/dsse/index.ts';
import { fromBase64 } from '../../protocol/encoding/bytes.ts';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson, formatTable } from '../output.ts';

const NAME = 'identity list';

interface Row {
  name: string;
  role: string;
  publicKey: string;
  addedAt?: string;
  revokedAt?: string;
}

export const identityListCommand: CommandSpec = {
  name: NAME,
  summary: "Show an org's roster: its people, their roles and keys (default: this org's).",
  usage: `${NAME} [--org ORG] [--home DIR] [--json]`,
  description: `
Shows the roster of ORG (default: this node's org) as this node holds it: the people whose keys may
register and approve models for that org, with their role, and the people revoked. --json prints
{org, version, issuedAt, people: [{name, role, publicKey, addedAt}], revoked: [{…, revokedAt}]}.`,
  options: {
    ...CLIENT_OPTIONS,
    org: { type: 'string', value: 'ORG', description: "another member org's roster" },
    ...JSON_OPTION,
  },
  examples: ['govfed identity list --home ./eu', 'govfed identity list --home ./eu --org us --json'],
  async run(args, io) {
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const org = stringOption(args, 'org');
    const r = await client.identities('GET', org === undefined ? '' : `?org=${encodeURIComponent(org)}`);
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson(r));
      return ExitCode.OK;
    }
    const people = (Array.isArray(r.people) ? r.people : []) as Row[];
    const revoked = (Array.isArray(r.revoked) ? r.revoked : []) as Row[];
    const keyid = (k: string) => keyIdOf(fromBase64(k)).slice(0, 16);
    let out = `roster of ${String(r.org)}: version ${String(r.version)}\n`;
    if (people.length === 0) out += `nobody on it${revoked.length === 0 ? ' yet' : ''} (govfed identity create)\n`;
    else
      out += formatTable(
        ['NAME', 'ROLE', 'KEY ID', 'ADDED'],
        people.map((p) => [p.name, p.role, keyid(p.publicKey), p.addedAt ?? '-']),
      );
    if (revoked.length > 0) {
      out += `revoked:\n${formatTable(
        ['NAME', 'ROLE', 'KEY ID', 'REVOKED'],
        revoked.map((p) => [p.name, p.role, keyid(p.publicKey), p.revokedAt ?? '-']),
      )}`;
    }
    io.stdout(out);
    return ExitCode.OK;
  },
};
