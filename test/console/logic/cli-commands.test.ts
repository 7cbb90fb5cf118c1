/**
 * The commands the console shows must be commands the CLI takes: each is parsed with the CLI's own
 * command table and argument parser.
 */
import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../../cli/args.ts';
import { COMMANDS } from '../../../cli/main.ts';
import { commands, shellWord } from '../../../console/logic/cli-commands.ts';

const MODEL = { org: 'eu', name: 'fraud-model', version: '1.0.0' };

/** Parses a command line (words without quotes) with the CLI; returns the command's name. */
function parse(line: string): string {
  const words = line.split(' ');
  expect(words[0]).toBe('govfed');
  const rest = words.slice(1);
  const spec = COMMANDS.find((c) => {
    const n = c.name.split(' ');
    return n.every((w, i) => rest[i] === w);
  });
  if (spec === undefined) throw new Error(`no command for ${line}`);
  parseCommandArgs(spec, rest.slice(spec.name.split(' ').length));
  return spec.name;
}

describe('commands', () => {
  describe('for a model version', () => {
    it('are the CLI commands that sign with a person key', () => {
      expect(parse(commands.approve(MODEL))).toBe('model approve');
      expect(parse(commands.reject(MODEL))).toBe('model approve');
      expect(parse(commands.suspend(MODEL))).toBe('model suspend');
      expect(parse(commands.revoke(MODEL))).toBe('model revoke');
      expect(parse(commands.reinstate(MODEL))).toBe('model reinstate');
      expect(commands.approve(MODEL)).toBe('govfed model approve fraud-model@1.0.0 --org eu --key YOUR_KEY_FILE');
    });
  });

  describe('for proposals and proofs', () => {
    it('are the CLI commands that sign with the node key or write a proof', () => {
      expect(parse(commands.policySign(`sha256:${'a'.repeat(64)}`))).toBe('policy sign');
      expect(parse(commands.federationSign('f'.repeat(64)))).toBe('federation sign');
      expect(parse(commands.prove(12))).toBe('audit prove');
    });
  });

  describe('for a compliance report', () => {
    it('is the CLI command that writes the report and its page', () => {
      expect(parse(commands.report(MODEL))).toBe('report model');
      expect(commands.report(MODEL)).toBe(
        'govfed report model eu/fraud-model@1.0.0 --out fraud-model-1.0.0-report.json --html fraud-model-1.0.0-report.html',
      );
    });
  });
});

describe('shellWord', () => {
  it('quotes anything a shell would split or expand', () => {
    expect(shellWord('plain-1.0@x')).toBe('plain-1.0@x');
    expect(shellWord('two words')).toBe("'two words'");
    expect(shellWord("it's $HOME")).toBe("'it'\\''s $HOME'");
  });
});
