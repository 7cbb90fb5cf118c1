/**
 * `govfed model risk --card FILE --policy BUNDLE [--name N --version V --org O --digest D --assurance A]
 *  [--jurisdiction J] [--json]` — recomputes a model version's risk score offline, exactly as every node
 * does (protocol/registry/risk.ts), so anyone can check the score a registration carries.
 *
 * BUNDLE is a policy baseline as an operator has it: what `govfed policy show --json` prints (its
 * `envelope`), the signed envelope itself, or the bare baseline object. It is parsed with the node's own
 * strict parser; its digest is printed so it can be compared with the registration's `policyDigest`
 * (signatures are the federation's business: `govfed policy status` shows who signed which version).
 */
import { isJurisdiction, isPlainObject } from '../../protocol/audit/fields.ts';
import { canonicalBytes } from '../../protocol/canonical/jcs.ts';
import { sha256 } from '../../protocol/crypto/sha256.ts';
import { toHex } from '../../protocol/encoding/bytes.ts';
import { baselineDigest, checkBaseline, decodeBaselineEnvelope } from '../../protocol/policy/baseline.ts';
import { checkModelCard, type HeldBaseline, scoreRisk } from '../../protocol/registry/index.ts';
import { booleanOption, type CommandSpec, JSON_OPTION, requireOption, stringOption } from '../args.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { formatJson, formatKeyValues, formatTable } from '../output.ts';
import { readJsonFile } from './policy-view.ts';

const NAME = 'model risk';

export const modelRiskCommand: CommandSpec = {
  name: NAME,
  summary: "Recompute a model version's risk score offline from its card and a policy baseline.",
  usage: `${NAME} --card FILE --policy BUNDLE [--name N] [--version V] [--org ORG] [--digest D] [--assurance files|opaque] [--jurisdiction J] [--json]`,
  description: `
Scores the model card FILE with the register score rules and risk tiers of the policy baseline BUNDLE —
the same computation every node runs when a model version is registered, so the result must equal the
risk a registration carries (govfed model show --json). BUNDLE: the output of 'govfed policy show
--json', a signed baseline envelope, or a baseline object. Rules may read the model (--name, --version,
--org, --digest, --assurance: default "files") and the registering org's --jurisdiction; give the
values the registration has when a rule reads them. Prints the score, the tier, the rules that fired with
their points, and the baseline version and digest that scored it.`,
  options: {
    card: { type: 'string', value: 'FILE', description: 'the model card (JSON); "-" for a registration without one' },
    policy: { type: 'string', value: 'BUNDLE', description: 'the policy baseline (JSON)' },
    name: { type: 'string', value: 'N', description: 'the model name (default "model")' },
    version: { type: 'string', value: 'V', description: 'the model version (default "1")' },
    org: { type: 'string', value: 'ORG', description: 'the registering org (default "org")' },
    digest: { type: 'string', value: 'D', description: 'the model digest (default empty)' },
    assurance: { type: 'string', value: 'A', description: 'files | opaque (default files)' },
    jurisdiction: {
      type: 'string',
      value: 'J',
      description: "the registering org's jurisdiction (default ZZ: unknown)",
    },
    ...JSON_OPTION,
  },
  examples: [
    'govfed model risk --card docs/examples/model-card.json --policy docs/examples/risk-baseline.json',
    'govfed policy show --home ./eu --json > baseline.json && govfed model risk --card card.json --policy baseline.json --json',
  ],
  async run(args, io) {
    const cardFile = requireOption(args, NAME, 'card');
    const policyFile = requireOption(args, NAME, 'policy');
    const card = cardFile === '-' ? undefined : checkModelCard(await readJsonFile(NAME, cardFile));
    const { held, draft } = heldBaseline(policyFile, await readJsonFile(NAME, policyFile));
    const assurance = stringOption(args, 'assurance') ?? 'files';
    if (assurance !== 'files' && assurance !== 'opaque') throw new UsageError(`${NAME}: --assurance: files or opaque`);
    const org = stringOption(args, 'org') ?? 'org';
    const model = {
      org,
      name: stringOption(args, 'name') ?? 'model',
      version: stringOption(args, 'version') ?? '1',
      digest: stringOption(args, 'digest') ?? '',
      assurance,
    };
    const jurisdiction = stringOption(args, 'jurisdiction') ?? 'ZZ';
    if (!isJurisdiction(jurisdiction)) throw new UsageError(`${NAME}: --jurisdiction: a code like EU, DE or US-CA`);
    const r = scoreRisk(held, card, model, { org, jurisdiction });
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson(draft ? { ...r, draft: true } : r));
      return ExitCode.OK;
    }
    io.stdout(
      formatKeyValues([
        ['score', r.score],
        ['tier', r.tier],
        [
          'policy',
          draft
            ? `a draft policy file (not a baseline), ${r.policyDigest}`
            : `version ${r.policyVersion}, ${r.policyDigest}`,
        ],
      ]),
    );
    io.stdout(
      r.hits.length === 0
        ? '\nno score rule fired\n'
        : `\n${formatTable(
            ['RULE', 'POINTS'],
            r.hits.map((h) => [h.rule, h.points > 0 ? `+${h.points}` : String(h.points)]),
          )}`,
    );
    return ExitCode.OK;
  },
};

/**
 * The baseline of a `policy show --json` output, an envelope, or a bare baseline — or a draft policy file
 * (`{rules, riskTiers?}` as `policy propose` takes it: version 0, digest of its canonical JSON).
 */
function heldBaseline(file: string, v: unknown): { held: HeldBaseline; draft: boolean } {
  if (!isPlainObject(v)) throw new UsageError(`${NAME}: '${file}' is not a policy baseline (expected a JSON object)`);
  const envelope = 'envelope' in v ? v.envelope : 'payloadType' in v ? v : undefined;
  if (envelope === null) throw new UsageError(`${NAME}: '${file}' holds no baseline (the node has none applied)`);
  if (envelope !== undefined) {
    const { bundle } = decodeBaselineEnvelope(envelope);
    return { held: { baseline: bundle, digest: baselineDigest(bundle) }, draft: false };
  }
  if (v.type === undefined) {
    // A policy file as `policy propose` takes it: score with its rules as if it were a baseline (version 0).
    const b = checkBaseline({
      type: 'govfed.policy/v1',
      federationId: '0'.repeat(64),
      version: 1,
      previous: null,
      createdAt: '1970-01-01T00:00:00Z',
      expiresAt: '9999-12-31T23:59:59Z',
      rules: v.rules,
      ...(v.riskTiers === undefined ? {} : { riskTiers: v.riskTiers }),
    });
    const digest = `sha256:${toHex(sha256(canonicalBytes({ rules: b.rules, ...(b.riskTiers === undefined ? {} : { riskTiers: b.riskTiers }) })))}`;
    return { held: { baseline: { ...b, version: 0 }, digest }, draft: true };
  }
  const b = checkBaseline(v);
  return { held: { baseline: b, digest: baselineDigest(b) }, draft: false };
}
