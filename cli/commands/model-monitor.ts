/**
 * `govfed model monitor NAME@VERSION [--org ORG] [--home DIR] [--json]` — the latest monitoring window of
 * every org × monitor of a model version as this node holds them (GET /v1/models/{name}/{version}/
 * monitoring; docs/monitoring.md): each a statement signed by the org's node, counts only. Exit 0 even
 * when a window breaches (the flags are shown): this reads, it does not judge.
 */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson, formatTable } from '../output.ts';
import { parseModelRef } from './model-approve.ts';

const NAME = 'model monitor';

interface WindowView {
  org: string;
  name?: string;
  metric: string;
  onBreach?: string;
  seq: number;
  to: string;
  decisions: number;
  shadow: boolean;
  value: number | null;
  threshold: number;
  breach: boolean;
}

export const modelMonitorCommand: CommandSpec = {
  name: NAME,
  summary: "Show a model version's latest monitoring windows of every org, and its flags.",
  usage: `${NAME} NAME@VERSION [--org ORG] [--home DIR] [--json]`,
  positionals: [
    { name: 'NAME@VERSION', description: 'the model version (ORG/NAME@VERSION when several orgs registered it)' },
  ],
  description: `
Shows, for each org that runs the version and each monitor of its contract (requiredMonitors), the latest
window that org's node signed: the metric's value, the contract's threshold, the number of decisions and
whether it breaches (BREACH: the version is flagged; with onBreach "suspend" the measuring node suspended
it). --json prints {model, flags, windows} with every window's counts and signed envelope.`,
  options: {
    ...CLIENT_OPTIONS,
    org: { type: 'string', value: 'ORG', description: 'the org that registered it (when several did)' },
    ...JSON_OPTION,
  },
  examples: ['govfed model monitor fraud@1.0.0 --home ./eu', 'govfed model monitor eu/fraud@1.0.0 --home ./us --json'],
  async run(args, io) {
    const ref = parseModelRef(NAME, args.positionals[0]);
    if (args.positionals.length > 1) throw new UsageError(`${NAME}: one model version at a time`);
    const org = stringOption(args, 'org') ?? ref.org;
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const path = `/${encodeURIComponent(ref.name)}/${encodeURIComponent(ref.version)}/monitoring`;
    const m = await client.models('GET', org === undefined ? path : `${path}?org=${encodeURIComponent(org)}`);
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson(m));
      return ExitCode.OK;
    }
    const windows = (m.windows ?? []) as WindowView[];
    if (windows.length === 0) {
      io.stdout(`${String(m.model)}: no monitoring window yet\n`);
      return ExitCode.OK;
    }
    io.stdout(
      formatTable(
        ['ORG', 'MONITOR', 'VALUE', 'THRESHOLD', 'DECISIONS', 'WINDOW', 'TO', 'STATE'],
        windows.map((w) => [
          w.org,
          `${w.name ?? w.metric}${w.shadow ? ' (shadow)' : ''}`,
          w.value === null ? '—' : w.value.toFixed(4),
          String(w.threshold),
          String(w.decisions),
          String(w.seq),
          w.to,
          w.breach ? `BREACH (${w.onBreach ?? 'flag'})` : 'ok',
        ]),
      ),
    );
    return ExitCode.OK;
  },
};
