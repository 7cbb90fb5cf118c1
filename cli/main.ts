/**
 * The govfed command line: finds the command named by the leading words of argv, parses its flags,
 * runs it, and turns whatever it threw into a message on stderr and an exit code (cli/exit.ts).
 *
 * Commands are plain `CommandSpec` objects (cli/args.ts), one per file under cli/commands/. Modules with
 * heavy dependencies (the daemon, LevelDB, libp2p) are imported inside `run`, so `govfed verify` or
 * `--help` stays fast.
 */
import { readFileSync } from 'node:fs';
import { type CommandSpec, parseCommandArgs, renderHelp } from './args.ts';
import { auditCheckpointCommand } from './commands/audit-checkpoint.ts';
import { auditFsckCommand } from './commands/audit-fsck.ts';
import { auditLookupCommand } from './commands/audit-lookup.ts';
import { auditMirrorCommand } from './commands/audit-mirror.ts';
import { auditProveCommand } from './commands/audit-prove.ts';
import { configSetCommand } from './commands/config-set.ts';
import { contractAttachCommand } from './commands/contract-attach.ts';
import { contractShowCommand } from './commands/contract-show.ts';
import { decisionsExportCommand } from './commands/decisions-export.ts';
import { decisionsListCommand } from './commands/decisions-list.ts';
import { demoCommand } from './commands/demo.ts';
import { federationCreateCommand } from './commands/federation-create.ts';
import { federationInviteCommand } from './commands/federation-invite.ts';
import { federationJoinCommand } from './commands/federation-join.ts';
import { federationLeaveCommand } from './commands/federation-leave.ts';
import { federationRemoveCommand } from './commands/federation-remove.ts';
import { federationSetApprovalRuleCommand } from './commands/federation-set-approval-rule.ts';
import { federationSetThresholdCommand } from './commands/federation-set-threshold.ts';
import { federationSignCommand } from './commands/federation-sign.ts';
import { federationStatusCommand } from './commands/federation-status.ts';
import { federationWithdrawCommand } from './commands/federation-withdraw.ts';
import { haAddProcessCommand } from './commands/ha-add-process.ts';
import { identityCreateCommand } from './commands/identity-create.ts';
import { identityListCommand } from './commands/identity-list.ts';
import { identityRevokeCommand } from './commands/identity-revoke.ts';
import { initCommand } from './commands/init.ts';
import { keysRotateCommand } from './commands/keys-rotate.ts';
import { memberCardCommand } from './commands/member-card.ts';
import { modelApproveCommand } from './commands/model-approve.ts';
import { modelDeployCommand, modelPromoteCommand, modelUndeployCommand } from './commands/model-deploy.ts';
import { modelDigestCommand } from './commands/model-digest.ts';
import { modelReinstateCommand, modelRevokeCommand, modelSuspendCommand } from './commands/model-kill.ts';
import { modelListCommand, modelShowCommand } from './commands/model-list.ts';
import { modelMonitorCommand } from './commands/model-monitor.ts';
import { modelRegisterCommand } from './commands/model-register.ts';
import { modelRiskCommand } from './commands/model-risk.ts';
import { modelSignCommand } from './commands/model-sign.ts';
import { modelVerifyCommand } from './commands/model-verify.ts';
import { policyCheckCommand } from './commands/policy-check.ts';
import { policyLocalSetCommand } from './commands/policy-local-set.ts';
import { policyLocalShowCommand } from './commands/policy-local-show.ts';
import { policyProposeCommand } from './commands/policy-propose.ts';
import { policyShowCommand } from './commands/policy-show.ts';
import { policySignCommand } from './commands/policy-sign.ts';
import { policyStatusCommand } from './commands/policy-status.ts';
import { reportModelCommand } from './commands/report-model.ts';
import { startCommand } from './commands/start.ts';
import { statusCommand } from './commands/status.ts';
import { stopCommand } from './commands/stop.ts';
import { storeMigrateCommand } from './commands/store-migrate.ts';
import { tokenCreateCommand } from './commands/token-create.ts';
import { tokenListCommand } from './commands/token-list.ts';
import { tokenRevokeCommand } from './commands/token-revoke.ts';
import { verifyCommand } from './commands/verify.ts';
import { witnessLogsAddCommand } from './commands/witness-logs-add.ts';
import { witnessResetCommand } from './commands/witness-reset.ts';
import { describeError, ExitCode, errorCodeOf, exitCodeFor, UsageError } from './exit.ts';
import { formatJson, type Io, processIo } from './output.ts';

export const COMMANDS: readonly CommandSpec[] = [
  initCommand,
  configSetCommand,
  memberCardCommand,
  startCommand,
  stopCommand,
  tokenCreateCommand,
  tokenListCommand,
  tokenRevokeCommand,
  statusCommand,
  auditCheckpointCommand,
  auditProveCommand,
  auditLookupCommand,
  auditFsckCommand,
  auditMirrorCommand,
  storeMigrateCommand,
  haAddProcessCommand,
  decisionsListCommand,
  decisionsExportCommand,
  verifyCommand,
  federationCreateCommand,
  federationSetThresholdCommand,
  federationSetApprovalRuleCommand,
  federationInviteCommand,
  federationSignCommand,
  federationJoinCommand,
  federationRemoveCommand,
  federationLeaveCommand,
  federationWithdrawCommand,
  federationStatusCommand,
  keysRotateCommand,
  identityCreateCommand,
  identityListCommand,
  identityRevokeCommand,
  witnessLogsAddCommand,
  witnessResetCommand,
  policyProposeCommand,
  policySignCommand,
  policyStatusCommand,
  policyShowCommand,
  policyLocalSetCommand,
  policyLocalShowCommand,
  policyCheckCommand,
  modelApproveCommand,
  modelDigestCommand,
  modelListCommand,
  modelShowCommand,
  modelMonitorCommand,
  reportModelCommand,
  modelRegisterCommand,
  modelRiskCommand,
  modelSignCommand,
  modelVerifyCommand,
  modelDeployCommand,
  modelUndeployCommand,
  modelPromoteCommand,
  modelSuspendCommand,
  modelRevokeCommand,
  modelReinstateCommand,
  contractAttachCommand,
  contractShowCommand,
  demoCommand,
];

/** Runs the CLI on `argv` (without node and the script path) and returns the exit code. */
export async function main(argv: readonly string[], outerIo: Io = processIo): Promise<number> {
  let command: CommandSpec | undefined;
  // A command that already printed its JSON document (e.g. `policy check --json` with problems) keeps
  // stdout to that one document; otherwise a failure under --json prints the error document.
  let printed = false;
  const io: Io = {
    env: outerIo.env,
    stderr: (text) => outerIo.stderr(text),
    stdout: (text) => {
      printed = true;
      outerIo.stdout(text);
    },
  };
  try {
    const found = findCommand(argv, io);
    if (typeof found === 'number') return found;
    command = found.command;
    const args = parseCommandArgs(command, found.rest);
    if (args.values.help === true) {
      io.stdout(renderHelp(command));
      return ExitCode.OK;
    }
    return await command.run(args, io);
  } catch (err) {
    io.stderr(`govfed: ${describeError(err)}\n`);
    if (wantsJson(argv) && !printed) io.stdout(jsonError(err));
    if (err instanceof UsageError) {
      io.stderr(command === undefined ? "Run 'govfed help'.\n" : `Run 'govfed ${command.name} --help'.\n`);
    }
    return exitCodeFor(err);
  }
}

/** The command named by argv's leading words, or an exit code when help/version was printed instead. */
function findCommand(argv: readonly string[], io: Io): { command: CommandSpec; rest: readonly string[] } | number {
  const first = argv[0];
  if (first === undefined) {
    io.stderr(generalHelp());
    return ExitCode.USAGE;
  }
  if (first === '--version' || first === '-V' || first === 'version') {
    io.stdout(`govfed ${version()} (node ${process.version})\n`);
    return ExitCode.OK;
  }
  if (first === 'help' || first === '--help' || first === '-h') return help(argv.slice(1), io);
  const match = longestMatch(argv);
  if (match !== undefined) return { command: match, rest: argv.slice(match.name.split(' ').length) };
  const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `));
  if (group.length > 0) {
    const sub = argv[1];
    if (sub === '--help' || sub === '-h') {
      io.stdout(groupHelp(first, group));
      return ExitCode.OK;
    }
    io.stderr(groupHelp(first, group));
    if (sub === undefined) throw new UsageError(`${first}: missing subcommand`);
    const subs = group.map((c) => c.name.split(' ')[1] as string);
    const close = subs.find((s) => editDistance(sub, s) <= Math.max(1, Math.floor(s.length / 3)));
    throw new UsageError(
      `unknown command '${first} ${sub}'${close === undefined ? '' : `; did you mean '${first} ${close}'?`}`,
    );
  }
  throw new UsageError(`unknown command '${first}'${didYouMean(first)}`);
}

/** True when the command line asks for JSON output (before `--`, where flags end). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** `--json`'s error document: {"ok": false, "code", "message"} on stdout, for scripts. */
export function jsonError(err: unknown): string {
  const code = errorCodeOf(err) ?? 'ERR_INTERNAL';
  const message = err instanceof Error ? err.message : String(err);
  return formatJson({ ok: false, code, message });
}

/** ", did you mean 'X'?" for the closest command word, when one is close enough to be a typo. */
function didYouMean(word: string): string {
  const names = [...new Set(COMMANDS.map((c) => c.name.split(' ')[0] as string)), 'help', 'version'];
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const n of names) {
    const d = editDistance(word, n);
    if (d < bestDistance) [best, bestDistance] = [n, d];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3))
    ? `; did you mean '${best}'?`
    : '';
}

/** Edit distance counting a swap of two neighbours as one edit (both strings are short command words). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => (d[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = v;
    }
  }
  return at(a.length, b.length);
}

function longestMatch(argv: readonly string[]): CommandSpec | undefined {
  let best: CommandSpec | undefined;
  for (const c of COMMANDS) {
    const words = c.name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (best === undefined || words.length > best.name.split(' ').length)) {
      best = c;
    }
  }
  return best;
}

function help(words: readonly string[], io: Io): number {
  if (words.length === 0) {
    io.stdout(generalHelp());
    return ExitCode.OK;
  }
  const c = COMMANDS.find((c) => c.name === words.join(' '));
  if (c !== undefined) {
    io.stdout(renderHelp(c));
    return ExitCode.OK;
  }
  const group = COMMANDS.filter((c) => c.name.startsWith(`${words[0]} `));
  if (words.length === 1 && group.length > 0) {
    io.stdout(groupHelp(words[0] as string, group));
    return ExitCode.OK;
  }
  throw new UsageError(`help: unknown command '${words.join(' ')}'`);
}

export function generalHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length), 'help [COMMAND]'.length);
  const rows = [...COMMANDS.map((c) => [c.name, c.summary]), ['help [COMMAND]', 'Show help for a command.']];
  return `govfed ${version()} — one node of a federation for AI governance: an append-only, provable audit log
of every decision an org's models make.

Usage: govfed <command> [options]

Commands:
${rows.map(([n, s]) => `  ${(n as string).padEnd(w)}  ${s}`).join('\n')}

Every command takes --help. Commands that act on a node take --home DIR (or GOVFED_HOME); they find the
node's API address and admin token there (override with --api / GOVFED_API and --token / GOVFED_TOKEN).
--json prints one JSON document for scripts.

Exit codes: 0 ok, 1 verification or check failed, 2 usage error, 3 node unreachable, 4 other error.
`;
}

function groupHelp(group: string, commands: readonly CommandSpec[]): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return `Usage: govfed ${group} <subcommand> [options]

${commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}

Run 'govfed ${group} <subcommand> --help' for details.
`;
}

let cachedVersion: string | undefined;

/** The package version (package.json). */
export function version(): string {
  if (cachedVersion === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    cachedVersion = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  }
  return cachedVersion;
}
