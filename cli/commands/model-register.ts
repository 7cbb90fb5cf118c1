/**
 * `govfed model register --home DIR --name NAME --version V (--path MODEL_DIR | --external
 *  PROVIDER/MODEL@SNAPSHOT) [--oms-signature FILE (--oms-public-key PEM | --oms-certificate-chain PEM)]
 *  [--card FILE] [--contract FILE] [--baseline FILE] --key SUBMITTER_KEY [--json]`
 *
 * Here, on the submitter's machine: the model's digest (the OMS root digest of its files — with
 * --oms-signature, only after the signature verified and the files hash to what it signed — or the opaque
 * digest of an external model), the card checked, the risk scored under the policy baseline the node
 * enforces now (the same function every member recomputes it with), and the registration signed with the
 * submitter's key. The node gets the signed envelope only (POST /v1/models): it checks it all again, logs,
 * stores and gossips it. With --contract, the contract's version 1 (docs/contracts.md) is signed with the
 * same key and posted with it: the node checks both before it takes either. With --baseline, the
 * monitoring baseline (docs/monitoring.md: bins and proportions, or sample values cut into 10 quantile
 * bins here) is committed in the registration, signed with it.
 */
import { hashModelDir, resolveIgnorePaths } from '../../node/registry/model-files.ts';
import { verifyModelDir } from '../../node/registry/model-verify.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import { checkModelCard, type ModelCard } from '../../protocol/registry/index.ts';
import {
  externalDigest,
  MAX_OMS_BUNDLE_BYTES,
  type OmsTrust,
  parseExternalRef,
} from '../../protocol/registry/oms/index.ts';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, requireOption, stringOption } from '../args.ts';
import { readBaselineFile } from '../baseline-file.ts';
import { ApiClient } from '../client.ts';
import { readContractFile } from '../contract-file.ts';
import { CheckFailedError, ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { readInputFile, readPemFile } from '../model-files.ts';
import { formatJson, formatKeyValues } from '../output.ts';
import {
  heldBaselineOf,
  type ModelIdentity,
  personSigner,
  signedContract,
  signedRegistration,
} from '../registry-signer.ts';

const NAME = 'model register';
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const MAX_CARD_BYTES = 64 * 1024;

export const modelRegisterCommand: CommandSpec = {
  name: NAME,
  summary: "Register a model version in this org's registry: digest, card, risk score, signed by the submitter.",
  usage: `${NAME} --name NAME --version V (--path MODEL_DIR | --external PROVIDER/MODEL@SNAPSHOT) [--oms-signature FILE (--oms-public-key PEM | --oms-certificate-chain PEM)] [--card FILE] [--contract FILE] [--baseline FILE] --key SUBMITTER_KEY [--home DIR] [--json]`,
  description: `
Identifies the model by its digest: with --path, the OpenSSF model signing (OMS v1.0) root digest of its
files; with --oms-signature, the OMS signature is verified first (--oms-public-key or
--oms-certificate-chain) and a model whose files do not hash to what it signed is refused; with
--external, the digest of an API-hosted model's {provider, model, snapshot} (assurance "opaque").
The model card (--card, JSON; docs/registry.md) is checked — unknown fields are refused, a prohibited
practice is never registered. The risk score is computed here under the policy baseline the node enforces
(its register rules and tiers: govfed model risk recomputes it offline), and the registration is signed
with SUBMITTER_KEY (a person on this org's roster: govfed identity create). --contract FILE binds a trust
contract (docs/contracts.md) to the version: its terms are checked here, signed with the same key (a
model_owner, risk_officer or legal) and enforced by every node. --baseline FILE commits the reference
distribution the contract's psi and ks monitors compare against (docs/monitoring.md). The node checks it all again,
appends it to its log and gossips it to every member. Prints {name, version, digest, risk, status,
logIndex}; the status is "pending" until the approvals its risk tier needs are in (govfed model approve).`,
  options: {
    ...CLIENT_OPTIONS,
    name: { type: 'string', value: 'NAME', description: 'the model name' },
    version: { type: 'string', value: 'V', description: 'the model version' },
    path: { type: 'string', value: 'MODEL_DIR', description: 'the model directory (or single file)' },
    external: { type: 'string', value: 'P/M@S', description: 'an external model, PROVIDER/MODEL@SNAPSHOT' },
    'oms-signature': { type: 'string', value: 'FILE', description: 'an OpenSSF model signature of MODEL_DIR' },
    'oms-public-key': { type: 'string', value: 'PEM', description: "the OMS signer's EC public key" },
    'oms-certificate-chain': {
      type: 'string',
      value: 'PEM',
      description: 'CA certificates for a certificate-signed model',
    },
    card: { type: 'string', value: 'FILE', description: 'the model card (JSON)' },
    contract: { type: 'string', value: 'FILE', description: 'the trust contract (JSON; docs/contracts.md)' },
    baseline: { type: 'string', value: 'FILE', description: 'the monitoring baseline (JSON; docs/monitoring.md)' },
    key: { type: 'string', value: 'FILE', description: "the submitter's key (govfed identity create --key-out)" },
    ...JSON_OPTION,
  },
  examples: [
    'govfed model register --home ./eu --name fraud --version 1.0.0 --path ./fraud-model --card card.json --key alice.key',
    'govfed model register --home ./eu --name chat --version 2024-08 --external openai/gpt-4o@2024-08-06 --key alice.key',
  ],
  async run(args, io) {
    const name = requireOption(args, NAME, 'name');
    const version = requireOption(args, NAME, 'version');
    const keyFile = requireOption(args, NAME, 'key');
    if (!NAME_RE.test(name) || !NAME_RE.test(version)) {
      throw new UsageError(
        `${NAME}: --name and --version: 1–128 of A–Z a–z 0–9 _ . - (starting with a letter or digit)`,
      );
    }
    const card = await readCard(stringOption(args, 'card'));
    const contractFile = stringOption(args, 'contract');
    const terms = contractFile === undefined ? undefined : await readContractFile(NAME, contractFile);
    const baselineFile = stringOption(args, 'baseline');
    const baseline = baselineFile === undefined ? undefined : await readBaselineFile(NAME, baselineFile);
    const model = await modelDigest(args);
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const who = await personSigner(client, keyFile);
    const held = heldBaselineOf(await client.policy('GET', ''));
    const { envelope } = signedRegistration({
      who,
      ref: { org: who.org, name, version },
      jurisdiction: who.jurisdictions[who.org] ?? 'ZZ',
      model,
      card,
      held,
      baseline,
    });
    const contract =
      terms === undefined
        ? undefined
        : signedContract({ who, model: { org: who.org, name, version, digest: model.digest }, version: 1, terms });
    const out = await client.models('POST', '', { envelope, ...(contract === undefined ? {} : { contract }) });
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson(out));
      return ExitCode.OK;
    }
    const r = out.risk as { score: number; tier: string; hits: { rule: string; points: number }[] };
    io.stdout(
      formatKeyValues([
        ['model', `${who.org}/${name}@${version}`],
        ['digest', out.digest],
        [
          'risk',
          `${r.score} (${r.tier})${r.hits.length === 0 ? '' : `: ${r.hits.map((h) => `${h.rule} +${h.points}`).join(', ')}`}`,
        ],
        ['status', out.status],
        ['log index', out.logIndex],
        ...(out.contract === undefined ? [] : ([['contract', contractLine(out.contract)]] as const)),
        ['submitter', `${who.person.name} (${who.person.role})`],
      ]),
    );
    return ExitCode.OK;
  },
};

async function readCard(file: string | undefined): Promise<ModelCard | undefined> {
  if (file === undefined) return undefined;
  const bytes = await readInputFile(NAME, '--card', file, MAX_CARD_BYTES);
  if (bytes.length > MAX_CARD_BYTES)
    throw new UsageError(`${NAME}: --card ${file} is larger than ${MAX_CARD_BYTES} bytes`);
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new UsageError(`${NAME}: --card ${file} is not JSON: ${(cause as Error).message}`, { cause });
  }
  return checkModelCard(v);
}

async function modelDigest(args: Parameters<CommandSpec['run']>[0]): Promise<ModelIdentity> {
  const dir = stringOption(args, 'path');
  const external = stringOption(args, 'external');
  const sig = stringOption(args, 'oms-signature');
  const pub = stringOption(args, 'oms-public-key');
  const chain = stringOption(args, 'oms-certificate-chain');
  if ((dir === undefined) === (external === undefined)) {
    throw new UsageError(`${NAME}: give exactly one of --path MODEL_DIR and --external PROVIDER/MODEL@SNAPSHOT`);
  }
  if (external !== undefined) {
    if (sig !== undefined || pub !== undefined || chain !== undefined) {
      throw new UsageError(`${NAME}: --oms-signature goes with --path (an external model has no files to sign)`);
    }
    try {
      const ref = parseExternalRef(external);
      return { digest: externalDigest(ref).digest, assurance: 'opaque', external: ref };
    } catch (cause) {
      if (!isGovfedError(cause)) throw cause;
      throw new UsageError(`${NAME}: --external ${cause.message}`, { cause });
    }
  }
  const path = dir as string;
  if (sig === undefined) {
    if (pub !== undefined || chain !== undefined) {
      throw new UsageError(`${NAME}: --oms-public-key / --oms-certificate-chain go with --oms-signature`);
    }
    return { digest: (await hashModelDir(path)).digest, assurance: 'files' };
  }
  if ((pub === undefined) === (chain === undefined)) {
    throw new UsageError(
      `${NAME}: with --oms-signature, give exactly one of --oms-public-key and --oms-certificate-chain`,
    );
  }
  const trust: OmsTrust =
    pub !== undefined
      ? { method: 'key', publicKey: await readPemFile(NAME, '--oms-public-key', pub) }
      : {
          method: 'certificate',
          certificateChain: await readPemFile(NAME, '--oms-certificate-chain', chain as string),
        };
  const bundle = await readInputFile(NAME, '--oms-signature', sig, MAX_OMS_BUNDLE_BYTES);
  try {
    const r = await verifyModelDir(path, bundle, trust, {
      ignorePaths: resolveIgnorePaths(path, [sig], process.cwd()),
    });
    return { digest: r.digest, assurance: 'files', oms: trust.method };
  } catch (cause) {
    if (!isGovfedError(cause)) throw cause;
    throw new CheckFailedError(`${NAME}: ${path} does not verify against ${sig}: ${cause.message}`, {
      code: cause.code,
      cause,
    });
  }
}

function contractLine(c: unknown): string {
  const r = c as { version: number; id: string; logIndex: number };
  return `version ${r.version} (${r.id}), log index ${r.logIndex}`;
}
