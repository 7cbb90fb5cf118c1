/**
 * govfed command lines written in files that are not run by the tests as they are (shell scripts started
 * by docker-compose, recipes in the docs), checked against the CLI's own command table and parser: a
 * renamed command or flag fails the test instead of the operator.
 */
import { parseCommandArgs } from '../../cli/args.ts';
import { COMMANDS } from '../../cli/main.ts';

/**
 * The argument lists of every `govfed …` (or `npx govfed …`) in shell text: continuation lines joined,
 * comments dropped, each up to a shell operator, words split as the shell would (quotes removed; a
 * quoted `"$(…)"` is one word).
 */
export function govfedLines(script: string): string[][] {
  const out: string[][] = [];
  const text = script.replace(/\\\n\s*/g, ' ').replace(/"\$\([^)]*\)"/g, 'VALUE');
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '');
    if (/govfed\(\)/.test(line)) continue; // the function that runs the CLI
    for (const m of line.matchAll(/(?:^|[\s;(!])govfed\s+([^;|>&]*)/g)) {
      const words = (m[1] as string).match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
      out.push(words.map((w) => w.replace(/^(["'])(.*)\1$/, '$2')));
    }
  }
  return out;
}

/** Parses `argv` (the words after `govfed`) with the CLI's table and parser; the command's name. Throws. */
export function parseGovfed(argv: readonly string[]): string {
  const spec = COMMANDS.filter((c) => c.name.split(' ').every((w, i) => argv[i] === w)).sort(
    (a, b) => b.name.length - a.name.length,
  )[0];
  if (spec === undefined) throw new Error(`no govfed command for: ${argv.join(' ')}`);
  parseCommandArgs(spec, argv.slice(spec.name.split(' ').length));
  return spec.name;
}
