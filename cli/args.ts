/**
 * Argument parsing for the govfed CLI.
 *
 * Each command declares a `CommandSpec`: its name, usage line, options (with help text) and positionals.
 * `parseCommandArgs` runs node:util parseArgs in strict mode over that spec, so an unknown flag, a missing
 * value or a surplus positional is a usage error (exit 2) with a message naming the culprit. `renderHelp`
 * builds `--help` from the same spec, so the help can never drift from what is parsed.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './exit.ts';
import type { Io } from './output.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder for the value in help (e.g. `DIR`). */
  value?: string;
  description: string;
  /** A string option that may be repeated (`--ignore-paths A --ignore-paths B`); read it with stringListOption. */
  multiple?: boolean;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface PositionalSpec {
  name: string;
  description: string;
  optional?: boolean;
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  readonly positionals: readonly string[];
}

export interface CommandSpec {
  /** The words that select the command, e.g. `audit prove`. */
  readonly name: string;
  /** One line for `govfed help`. */
  readonly summary: string;
  /** The synopsis after `Usage: `. */
  readonly usage: string;
  /** Paragraphs for `--help`. */
  readonly description?: string;
  readonly options: OptionSpecs;
  readonly positionals?: readonly PositionalSpec[];
  readonly examples?: readonly string[];
  run(args: ParsedArgs, io: Io): Promise<number>;
}

export const HELP_OPTION: OptionSpecs = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

export const JSON_OPTION: OptionSpecs = {
  json: { type: 'boolean', description: 'print one JSON document for scripts instead of readable text' },
};

export const HOME_OPTION: OptionSpecs = {
  home: { type: 'string', value: 'DIR', description: 'the node home directory (default: $GOVFED_HOME)' },
};

/** Options of every command that talks to a running node. */
export const CLIENT_OPTIONS: OptionSpecs = {
  ...HOME_OPTION,
  api: {
    type: 'string',
    value: 'HOST:PORT',
    description: "the node's API address (default: $GOVFED_API, else DIR/api.addr, else DIR/config.json)",
  },
  token: {
    type: 'string',
    value: 'TOKEN',
    description: 'API token (default: $GOVFED_TOKEN, else DIR/admin.token)',
  },
};

/**
 * Parses `argv` (the words after the command name) against `spec`. `--help` short-circuits: the result
 * then has `values.help === true` and no further checks are made.
 */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries({ ...spec.options, ...HELP_OPTION })) {
    options[name] = o.short === undefined ? { type: o.type } : { type: o.type, short: o.short };
    if (o.multiple === true) (options[name] as { multiple?: boolean }).multiple = true;
  }
  let parsed: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (cause) {
    throw new UsageError(`${spec.name}: ${usageMessage(cause)}`, { cause });
  }
  if (parsed.values.help === true) return parsed;
  const expected = spec.positionals ?? [];
  const required = expected.filter((p) => p.optional !== true).length;
  if (parsed.positionals.length < required) {
    const missing = expected[parsed.positionals.length] as PositionalSpec;
    throw new UsageError(`${spec.name}: missing argument ${missing.name}`);
  }
  if (parsed.positionals.length > expected.length) {
    throw new UsageError(`${spec.name}: unexpected argument '${parsed.positionals[expected.length]}'`);
  }
  for (const [name, o] of Object.entries(spec.options)) {
    const v = parsed.values[name];
    if (o.type === 'string' && (typeof v === 'string' ? [v] : Array.isArray(v) ? v : []).some((x) => x.length === 0)) {
      throw new UsageError(`${spec.name}: --${name} must not be empty`);
    }
  }
  return parsed;
}

function usageMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // node's messages carry a long hint about '--'; keep the first sentence.
  const first = message.split('. ')[0] ?? message;
  return first.endsWith('.') ? first.slice(0, -1) : first;
}

/** The value of a string option, or undefined. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** The value of a string option that must be present. */
export function requireOption(args: ParsedArgs, command: string, name: string): string {
  const v = stringOption(args, name);
  if (v === undefined) throw new UsageError(`${command}: --${name} is required`);
  return v;
}

/** Every value of a repeatable string option (`multiple: true`), in order; [] when absent. */
export function stringListOption(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  return Array.isArray(v) ? [...v] : typeof v === 'string' ? [v] : [];
}

export function booleanOption(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

const UINT_RE = /^(0|[1-9][0-9]{0,15})$/;

/** A non-negative safe integer written in canonical decimal (no sign, no leading zeros, no exponent). */
export function parseIndex(command: string, name: string, value: string): number {
  const n = UINT_RE.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new UsageError(`${command}: --${name} must be a non-negative integer, got '${value}'`);
  }
  return n;
}

/** `HOST:PORT` with a numeric port 0..65535; IPv6 hosts in brackets (`[::1]:7370`). */
export function parseHostPort(command: string, name: string, value: string): { host: string; port: number } {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(0|[1-9][0-9]{0,4})$/.exec(value);
  const port = m === null ? Number.NaN : Number(m[2]);
  if (m === null || port > 65535) {
    throw new UsageError(`${command}: --${name} must be HOST:PORT (e.g. 127.0.0.1:7370), got '${value}'`);
  }
  return { host: m[1] as string, port };
}

/** The text of `govfed <command> --help`. */
export function renderHelp(spec: CommandSpec): string {
  const lines = [`Usage: govfed ${spec.usage}`, '', spec.summary];
  if (spec.description !== undefined) lines.push('', spec.description.trim());
  if (spec.positionals !== undefined && spec.positionals.length > 0) {
    lines.push('', 'Arguments:');
    const w = Math.max(...spec.positionals.map((p) => p.name.length));
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(w)}  ${p.description}`);
  }
  const all = Object.entries({ ...spec.options, ...HELP_OPTION });
  const flags = all.map(([name, o]) => {
    const long = `--${name}${o.value === undefined ? '' : ` ${o.value}`}`;
    return [o.short === undefined ? `    ${long}` : `-${o.short}, ${long}`, o.description] as const;
  });
  const w = Math.max(...flags.map(([f]) => f.length));
  lines.push('', 'Options:');
  for (const [f, d] of flags) lines.push(`  ${f.padEnd(w)}  ${d}`);
  if (spec.examples !== undefined && spec.examples.length > 0) {
    lines.push('', 'Examples:');
    for (const e of spec.examples) lines.push(`  ${e}`);
  }
  return `${lines.join('\n')}\n`;
}
