/**
 * docs/operators-guide.md's federation recipe, run verbatim: the test reads the block marked
 * `<!-- recipe:cards … -->` and runs each line with the real CLI in one working directory — `npx govfed
 * start … &` as a real daemon (test/helpers/daemon.ts), every other line as `govfed …` (test/helpers/
 * cli.ts), each expected to exit 0. Where an operator would look and wait, the test does too: a
 * `federation status` line is run until every org invited so far is listed, an `audit prove` line until
 * the entry is witnessed. One thing is added, as an editor would: apac's invite file is re-indented
 * (JSON.stringify(…, null, 4)) before apac joins with it — invites are checked by signature, not bytes.
 *
 * Then, on that federation, the bad inputs of the cards commands against the real daemons: a tampered
 * card, a card of a different key, a missing card file, a card without keys, a flag that disagrees with
 * the card, a jurisdiction mismatch at join (refused, nothing made; fixed with `config set` and a
 * restart, the same invite then joins), bad `config set` values.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyMemberCard } from '../../protocol/federation/member-card.ts';
import { type CliResult, makeTempDir, ROOT, removeDir, runCli } from '../helpers/cli.ts';
import { DaemonProcess, killAllDaemons } from '../helpers/daemon.ts';
import { type FedStatus, waitFor } from '../helpers/federation.ts';

const GUIDE = path.join(ROOT, 'docs', 'operators-guide.md');
const MARK = '<!-- recipe:cards';

/** The command lines of the marked block (comments and blank lines dropped). */
async function recipe(): Promise<string[]> {
  const text = await readFile(GUIDE, 'utf8');
  const at = text.indexOf(MARK);
  if (at < 0) throw new Error(`${GUIDE}: no ${MARK} block`);
  const open = text.indexOf('```sh\n', at);
  const close = text.indexOf('\n```', open + 6);
  return text
    .slice(open + 6, close)
    .split('\n')
    .map((l) =>
      l
        .replace(/\s+#.*$/, '')
        .replace(/^#.*$/, '')
        .trim(),
    )
    .filter((l) => l.length > 0);
}

/** Shell words of one line: spaces separate, double quotes group (all the recipe uses). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|(\S+)/g)) out.push((m[1] ?? m[2]) as string);
  return out;
}

let cwd: string;
const daemons = new Map<string, DaemonProcess>();
/** Orgs invited so far, in order (a `federation status` line waits until all are members). */
const invited: string[] = [];
const ran: { line: string; result: CliResult }[] = [];

const cli = (args: readonly string[]) => runCli(args, { cwd, timeoutMs: 60_000 });
const home = (org: string) => path.join(cwd, org);

async function statusOf(org: string): Promise<FedStatus> {
  const r = await cli(['federation', 'status', '--home', `./${org}`, '--json']);
  if (r.code !== 0) throw new Error(`federation status ${org}: ${r.code} ${r.stderr}`);
  return JSON.parse(r.stdout) as FedStatus;
}

/** Runs one recipe line the way an operator would. */
async function runLine(line: string): Promise<void> {
  const w = words(line);
  expect(w.slice(0, 2), line).toEqual(['npx', 'govfed']);
  const background = w.at(-1) === '&';
  const args = w.slice(2, background ? -1 : undefined);
  const homeAt = args.indexOf('--home');
  const homeArg = homeAt < 0 ? undefined : (args[homeAt + 1] as string);
  if (background) {
    expect(args[0], line).toBe('start');
    daemons.set(path.basename(homeArg as string), await DaemonProcess.start(path.resolve(cwd, homeArg as string)));
    return;
  }
  if (args[0] === 'federation' && args[1] === 'invite')
    invited.push(path.basename(args[args.indexOf('--card') + 1] as string).split('.')[0] as string);
  if (args[0] === 'federation' && args[1] === 'join' && path.basename(homeArg as string) === 'apac') {
    // As an editor would: the invite re-indented with 4 spaces still joins (checked by its signatures).
    const file = path.join(cwd, args.at(-1) as string);
    await writeFile(file, JSON.stringify(JSON.parse(await readFile(file, 'utf8')), null, 4));
  }
  let result: CliResult;
  if (args[0] === 'federation' && args[1] === 'status') {
    result = await waitFor(
      `${line}: ${invited.join(', ')} listed`,
      async () => {
        const r = await cli(args);
        const s = await statusOf(path.basename(homeArg as string));
        const orgs = s.members.map((m) => m.org);
        return r.code === 0 && invited.every((o) => orgs.includes(o)) && s.proposals.length === 0 ? r : undefined;
      },
      60_000,
    );
  } else if (args[0] === 'audit' && args[1] === 'prove') {
    result = await waitFor(
      `${line} (witnessed)`,
      async () => {
        const r = await cli(args);
        return r.code === 0 ? r : undefined;
      },
      90_000,
    );
  } else {
    result = await cli(args);
  }
  expect(result.code, `${line}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
  ran.push({ line, result });
}

beforeAll(async () => {
  cwd = await makeTempDir('govfed-guide-');
  for (const line of await recipe()) await runLine(line);
}, 600_000);

afterAll(async () => {
  await killAllDaemons();
  await removeDir(cwd);
});

describe("the operator's guide recipe (member cards)", () => {
  describe('when followed verbatim by three orgs', () => {
    it('passes only the card and invite files between orgs: no peer id or key on any command line', () => {
      const lines = ran.map((r) => r.line).join('\n');
      expect(lines).not.toMatch(/12D3KooW|--peer-id|--log-key|--witness-key|\+[0-9a-f]{8}\+/);
      expect(ran.some((r) => r.line.includes('--card us.card.json'))).toBe(true);
    });

    it('invited from cards that list no address (libp2p on port 0): the invite needs none', async () => {
      for (const org of ['us', 'apac']) {
        const card = verifyMemberCard(new Uint8Array(await readFile(path.join(cwd, `${org}.card.json`))));
        expect(card).toMatchObject({ org, addresses: [] });
      }
    });

    it('forms a federation of three members with the jurisdictions they were initialised with', async () => {
      for (const org of ['eu', 'us', 'apac']) {
        const s = await statusOf(org);
        expect(s.charterVersion, org).toBe(3);
        const members = Object.fromEntries(s.members.map((m) => [m.org, m]));
        expect(Object.keys(members).sort(), org).toEqual(['apac', 'eu', 'us']);
        expect(members.eu?.jurisdiction).toBe('EU');
        expect(members.us?.jurisdiction).toBe('US');
        expect(members.apac?.jurisdiction).toBe('SG');
        // Taken from the cards: every member is provable and can cosign.
        for (const m of s.members) {
          expect(m.logKey, `${org}: ${m.org}`).toMatch(new RegExp(`^govfed/${m.org}/`));
          expect(m.witnessKey, `${org}: ${m.org}`).toMatch(new RegExp(`^govfed/${m.org}/witness\\+`));
        }
      }
    });

    it('gives a cross-org proof of apac entry 0 that verifies offline, pinned to the federation', async () => {
      const id = (await statusOf('eu')).id as string;
      const r = await cli(['verify', 'apac-0.json', '--federation', id, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ org: 'apac', federationPinned: true });
      const tampered = JSON.parse(await readFile(path.join(cwd, 'apac-0.json'), 'utf8')) as { index: number };
      tampered.index += 1;
      await writeFile(path.join(cwd, 'bad.json'), JSON.stringify(tampered));
      expect((await cli(['verify', 'bad.json', '--federation', id])).code).toBe(1);
    });

    it('joined apac with its invite re-indented by 4 spaces', async () => {
      const text = await readFile(path.join(cwd, 'apac.invite.json'), 'utf8');
      expect(text).toContain('\n    "bootstrap"');
    });
  });
});

/** The JSON error document of a failed `--json` command. */
function errorOf(r: CliResult): { code: string; message: string } {
  return JSON.parse(r.stdout) as { code: string; message: string };
}

describe('federation invite --card', () => {
  describe('when the card was tampered with (a value changed in the payload)', () => {
    it('fails with ERR_BAD_SIGNATURE (exit 1) and proposes nothing', async () => {
      const card = JSON.parse(await readFile(path.join(home('us'), 'member-card.json'), 'utf8')) as { payload: string };
      const payload = JSON.parse(Buffer.from(card.payload, 'base64').toString('utf8')) as Record<string, unknown>;
      payload.jurisdiction = 'EU';
      card.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
      await writeFile(path.join(cwd, 'tampered.card.json'), JSON.stringify(card, null, 2));
      const r = await cli([
        'federation',
        'invite',
        '--home',
        './eu',
        '--card',
        'tampered.card.json',
        '--out',
        'x.json',
        '--json',
      ]);
      expect(r.code).toBe(1);
      expect(errorOf(r).code).toBe('ERR_BAD_SIGNATURE');
      expect((await statusOf('eu')).proposals).toEqual([]);
    });
  });
  describe('when the card is signed by a key other than the peer id it names', () => {
    it('fails with ERR_UNKNOWN_SIGNER (exit 1)', async () => {
      const file = path.join(ROOT, 'test', 'vectors', 'member-card', 'wrong-signer.json');
      const r = await cli(['federation', 'invite', '--home', './eu', '--card', file, '--out', 'x.json', '--json']);
      expect(r.code).toBe(1);
      expect(errorOf(r).code).toBe('ERR_UNKNOWN_SIGNER');
    });
  });
  describe('when the card file does not exist', () => {
    it('fails with ERR_READ_FILE naming the file (exit 4)', async () => {
      const r = await cli([
        'federation',
        'invite',
        '--home',
        './eu',
        '--card',
        'nope.card.json',
        '--out',
        'x.json',
        '--json',
      ]);
      expect(r.code).toBe(4);
      expect(errorOf(r)).toMatchObject({ code: 'ERR_READ_FILE', message: expect.stringContaining('nope.card.json') });
    });
  });
  describe('when the file is not a card', () => {
    it('fails with ERR_MALFORMED_MEMBER_CARD (exit 1)', async () => {
      const r = await cli([
        'federation',
        'invite',
        '--home',
        './eu',
        '--card',
        'us.invite.json',
        '--out',
        'x.json',
        '--json',
      ]);
      expect(r.code).toBe(1);
      expect(errorOf(r).code).toMatch(/^ERR_MALFORMED_(MEMBER_CARD|ENVELOPE)$/);
    });
  });
  describe('when the card carries no log or witness key', () => {
    it('is refused with ERR_UNPROVABLE_MEMBER (exit 2) naming the keys and --allow-unprovable', async () => {
      const file = path.join(ROOT, 'test', 'vectors', 'member-card', 'no-keys.json');
      const r = await cli(['federation', 'invite', '--home', './eu', '--card', file, '--out', 'x.json', '--json']);
      expect(r.code).toBe(2);
      const e = errorOf(r);
      expect(e.code).toBe('ERR_UNPROVABLE_MEMBER');
      expect(e.message).toMatch(/log key.*witness key.*--allow-unprovable/s);
      expect((await statusOf('eu')).proposals).toEqual([]);
    });
  });
  describe('when a flag given with --card disagrees with the card', () => {
    it('is a usage error (exit 2) naming the flag and the card value', async () => {
      const r = await cli([
        'federation',
        'invite',
        '--home',
        './eu',
        '--card',
        'us.card.json',
        '--jurisdiction',
        'DE',
        '--out',
        'x.json',
        '--json',
      ]);
      expect(r.code).toBe(2);
      expect(errorOf(r)).toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/--jurisdiction DE.*US/) });
    });
  });
});

describe('federation join', () => {
  describe('when the invite names another jurisdiction than the joiner config', () => {
    it('refuses with ERR_JURISDICTION_MISMATCH, makes nothing; after config set and a restart the same invite joins', async () => {
      expect(
        (
          await cli([
            'init',
            '--home',
            './latam',
            '--org',
            'latam',
            '--jurisdiction',
            'BR',
            '--api',
            '127.0.0.1:0',
            '--listen',
            '/ip4/127.0.0.1/tcp/0',
          ])
        ).code,
      ).toBe(0);
      daemons.set('latam', await DaemonProcess.start(home('latam')));
      const card = JSON.parse((await cli(['member', 'card', '--home', './latam', '--json'])).stdout) as {
        card: { peerId: string; logKey: string; witnessKey: string };
      };
      // The inviter types the values by hand, with the wrong jurisdiction.
      const inv = await cli([
        'federation',
        'invite',
        '--home',
        './eu',
        '--org',
        'latam',
        '--peer-id',
        card.card.peerId,
        '--jurisdiction',
        'AR',
        '--log-key',
        card.card.logKey,
        '--witness-key',
        card.card.witnessKey,
        '--out',
        'latam.invite.json',
        '--json',
      ]);
      expect(inv.code, inv.stderr).toBe(0);
      const refused = await cli(['federation', 'join', '--home', './latam', 'latam.invite.json', '--json']);
      expect(refused.code).toBe(4);
      const e = errorOf(refused);
      expect(e.code).toBe('ERR_JURISDICTION_MISMATCH');
      expect(e.message).toContain('AR');
      expect(e.message).toContain('BR');
      expect(e.message).toContain(`govfed config set --home ${home('latam')} jurisdiction AR`);
      expect((await statusOf('latam')).federated).toBe(false);

      const set = await cli(['config', 'set', '--home', './latam', 'jurisdiction', 'AR', '--json']);
      expect(set.code, set.stderr).toBe(0);
      expect(JSON.parse(set.stdout)).toMatchObject({
        key: 'jurisdiction',
        previous: 'BR',
        value: 'AR',
        changed: true,
        running: true,
        restartRequired: true,
      });
      await daemons.get('latam')?.stop();
      daemons.set('latam', await DaemonProcess.start(home('latam')));
      const joined = await cli(['federation', 'join', '--home', './latam', 'latam.invite.json', '--json']);
      expect(joined.code, joined.stderr).toBe(0);
      await waitFor(
        'eu to list latam (AR)',
        async () => {
          const s = await statusOf('eu');
          return s.members.some((m) => m.org === 'latam' && m.jurisdiction === 'AR');
        },
        60_000,
      );
    }, 180_000);
  });
});

describe('config set', () => {
  describe('when the key or value is bad', () => {
    it('is a usage error (exit 2) that changes nothing', async () => {
      const before = await readFile(path.join(home('us'), 'config.json'), 'utf8');
      for (const [key, value] of [
        ['jurisdiction', 'usa'],
        ['listen', 'localhost:4001'],
        ['api', 'nohost'],
        ['org', 'x'],
      ]) {
        const r = await cli(['config', 'set', '--home', './us', key as string, value as string, '--json']);
        expect(r.code, `${key} ${value}`).toBe(2);
        expect(errorOf(r).code).toBe('ERR_USAGE');
        expect(errorOf(r).message).toContain(key);
      }
      expect(await readFile(path.join(home('us'), 'config.json'), 'utf8')).toBe(before);
    });
  });
});
