/**
 * `govfed contract show NAME@VERSION [--org ORG] [--home DIR] [--json]` — a model version's current trust
 * contract as this node holds it and enforces it (GET /v1/models/{name}/{version}: `contract`), with every
 * version's signer and time.
 */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson, formatKeyValues, formatTable } from '../output.ts';
import { parseModelRef } from './model-approve.ts';

const NAME = 'contract show';

interface ContractView {
  version: number;
  id: string;
  terms: Record<string, unknown>;
  signer: { name: string; role: string };
  issuedAt: string;
  logIndex: number;
  history: { version: number; id: string; signer: { name: string; role: string }; issuedAt: string }[];
}

export const contractShowCommand: CommandSpec = {
  name: NAME,
  summary: "Show a model version's trust contract: its terms, version and who signed each version.",
  usage: `${NAME} NAME@VERSION [--org ORG] [--home DIR] [--json]`,
  positionals: [
    { name: 'NAME@VERSION', description: 'the model version (ORG/NAME@VERSION when several orgs registered it)' },
  ],
  description: `
Shows the contract this node enforces for the model version: its terms (docs/contracts.md), its version
and id (what approvals name), who signed it and when, and every earlier version. --json prints
{model, contract} with the signed envelope; contract is null when the version has none (then exit 0).`,
  options: {
    ...CLIENT_OPTIONS,
    org: { type: 'string', value: 'ORG', description: 'the org that registered it (when several did)' },
    ...JSON_OPTION,
  },
  examples: ['govfed contract show fraud@1.0.0 --home ./eu', 'govfed contract show eu/fraud@1.0.0 --home ./us --json'],
  async run(args, io) {
    const ref = parseModelRef(NAME, args.positionals[0]);
    if (args.positionals.length > 1) throw new UsageError(`${NAME}: one model version at a time`);
    const org = stringOption(args, 'org') ?? ref.org;
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const path = `/${encodeURIComponent(ref.name)}/${encodeURIComponent(ref.version)}`;
    const m = await client.models('GET', org === undefined ? path : `${path}?org=${encodeURIComponent(org)}`);
    const c = (m.contract ?? null) as ContractView | null;
    const model = { org: m.org, name: m.name, version: m.version, digest: m.digest, status: m.status };
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson({ model, contract: c }));
      return ExitCode.OK;
    }
    const key = `${String(m.org)}/${ref.name}@${ref.version}`;
    if (c === null) {
      io.stdout(`${key} has no contract (govfed contract attach ${key} --file FILE --key KEY)\n`);
      return ExitCode.OK;
    }
    io.stdout(
      formatKeyValues([
        ['model', key],
        ['contract', `version ${c.version} (${c.id})`],
        ['signed', `${c.signer.name} (${c.signer.role}) at ${c.issuedAt}, log index ${c.logIndex}`],
        ['status', String(m.status)],
        ...Object.entries(c.terms).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as const),
      ]),
    );
    if (c.history.length > 1) {
      io.stdout(
        `\n${formatTable(
          ['VERSION', 'ID', 'SIGNER', 'ISSUED'],
          c.history.map((h) => [
            String(h.version),
            `${h.id.slice(0, 19)}…`,
            `${h.signer.name} (${h.signer.role})`,
            h.issuedAt,
          ]),
        )}`,
      );
    }
    return ExitCode.OK;
  },
};
