import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../cli/exit.ts';
import { COMMANDS, main } from '../../cli/main.ts';
import { bufferIo } from '../../cli/output.ts';

async function run(...argv: string[]) {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('main', () => {
  describe('when asked for help', () => {
    it('lists every command with `help` and `--help`', async () => {
      for (const argv of [['help'], ['--help'], ['-h']]) {
        const r = await run(...argv);
        expect(r.code).toBe(ExitCode.OK);
        for (const c of COMMANDS) expect(r.out).toContain(c.name);
        expect(r.out).toContain('Exit codes');
      }
    });

    it.each(COMMANDS.map((c) => [c.name]))('prints the help of `%s` with --help and with `help`', async (name) => {
      const words = name.split(' ');
      const a = await run(...words, '--help');
      const b = await run('help', ...words);
      expect(a.code).toBe(ExitCode.OK);
      expect(a.out).toMatch(new RegExp(`^Usage: govfed ${name}`));
      expect(a.out).toContain('-h, --help');
      expect(b.out).toBe(a.out);
    });

    it('prints a group help for `audit --help`', async () => {
      const r = await run('audit', '--help');
      expect(r.code).toBe(ExitCode.OK);
      expect(r.out).toContain('audit prove');
      expect(r.out).toContain('audit fsck');
    });
  });

  describe('when asked for the version', () => {
    it('prints the package version', async () => {
      const r = await run('--version');
      expect(r.code).toBe(ExitCode.OK);
      expect(r.out).toMatch(/^govfed \d+\.\d+\.\d+ \(node v\d+/);
    });
  });

  describe('when the command line is wrong', () => {
    it.each([
      [[]],
      [['frobnicate']],
      [['audit']],
      [['audit', 'nope']],
      [['token']],
      [['help', 'nope']],
      [['status', '--nope']],
      [['audit', 'prove', '--home', '/nonexistent']],
      [['audit', 'prove', '--home', '/nonexistent', '--index', '-1']],
      [['verify']],
      [['init', '--home', '/nonexistent']],
      [['init', '--home', '/nonexistent', '--org', 'Not An Org']],
      [['init', '--home', '/nonexistent', '--org', 'acme', '--api', 'localhost']],
      [['token', 'create', '--home', '/nonexistent', '--role', 'root']],
      [['status']],
    ])('exits 2 with a message on stderr for %j', async (argv) => {
      const r = await run(...argv);
      expect(r.code).toBe(ExitCode.USAGE);
      expect(r.err).toMatch(/govfed|Usage/);
      expect(r.out).toBe('');
    });
  });

  describe('when the home does not exist', () => {
    it('exits 4 for token create', async () => {
      const r = await run('token', 'create', '--home', '/nonexistent/govfed', '--role', 'ingest');
      expect(r.code).toBe(ExitCode.ERROR);
      expect(r.err).toContain('ERR_HOME_NOT_FOUND');
    });
  });

  describe('when the node is not running', () => {
    it('exits 3', async () => {
      const server = createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as AddressInfo;
      await new Promise((r) => server.close(r));
      const r = await run('status', '--api', `127.0.0.1:${port}`, '--token', 'x');
      expect(r.code).toBe(ExitCode.UNREACHABLE);
      expect(r.err).toContain('ERR_UNREACHABLE');
    });
  });
});
