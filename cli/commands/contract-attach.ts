/**
 * `govfed contract attach NAME@VERSION --file FILE --key KEY [--home DIR] [--json]`
 *
 * Signs the next version of a model version's trust contract here (docs/contracts.md; an in-toto
 * Statement v1 in DSSE whose subject is the model digest, naming the current version as `previous`) with
 * a person's own key and posts it to the model org's node (POST /v1/models/{name}/{version}/contracts).
 * Every member checks it and enforces it from then on; approvals name the contract they approve, so the
 * version needs approval again.
 */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, requireOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { readContractFile } from '../contract-file.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson, formatKeyValues } from '../output.ts';
import { personSigner, signedContract } from '../registry-signer.ts';
import { parseModelRef } from './model-approve.ts';

const NAME = 'contract attach';

export const contractAttachCommand: CommandSpec = {
  name: NAME,
  summary: "Attach a new version of a model version's trust contract, signed with your own key.",
  usage: `${NAME} NAME@VERSION --file FILE --key KEY [--home DIR] [--json]`,
  positionals: [{ name: 'NAME@VERSION', description: "a model version of this node's org" }],
  description: `
Checks the contract FILE (JSON, docs/contracts.md: unknown fields are refused), signs it as the next
version of the model version's contract with KEY (a model_owner, risk_officer or legal of the model's org;
the key never leaves this machine) and posts it to the node, which checks it, logs it and gossips it.
Every node enforces the new terms from then on, on deployment and on every decision. Approvals name the
contract version they approve: the model version's status goes back to pending until its approval rule is
met again under the new contract (govfed model approve).`,
  options: {
    ...CLIENT_OPTIONS,
    file: { type: 'string', value: 'FILE', description: 'the contract terms (JSON)' },
    key: { type: 'string', value: 'FILE', description: 'your key (govfed identity create --key-out)' },
    ...JSON_OPTION,
  },
  examples: ['govfed contract attach fraud@1.0.0 --home ./eu --file contract-v2.json --key alice.key'],
  async run(args, io) {
    const ref = parseModelRef(NAME, args.positionals[0]);
    if (args.positionals.length > 1) throw new UsageError(`${NAME}: one model version at a time`);
    const terms = await readContractFile(NAME, requireOption(args, NAME, 'file'));
    const keyFile = requireOption(args, NAME, 'key');
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const who = await personSigner(client, keyFile);
    if (ref.org !== undefined && ref.org !== who.org) {
      throw new UsageError(`${NAME}: ${ref.org}'s contracts are attached at ${ref.org}'s node, not ${who.org}'s`);
    }
    const path = `/${encodeURIComponent(ref.name)}/${encodeURIComponent(ref.version)}`;
    const model = await client.models('GET', `${path}?org=${encodeURIComponent(who.org)}`);
    const current = (model.contract ?? null) as { version: number; id: string } | null;
    const envelope = signedContract({
      who,
      model: { org: who.org, name: ref.name, version: ref.version, digest: String(model.digest) },
      version: (current?.version ?? 0) + 1,
      previous: current?.id,
      terms,
    });
    const out = await client.models('POST', `${path}/contracts`, { envelope });
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson(out));
      return ExitCode.OK;
    }
    io.stdout(
      formatKeyValues([
        ['model', `${who.org}/${ref.name}@${ref.version}`],
        ['contract', `version ${out.version} (${out.id})`],
        ['signer', `${who.person.name} (${who.person.role})`],
        ['status', out.status],
        ['log index', out.logIndex],
      ]),
    );
    return ExitCode.OK;
  },
};
