/**
 * `govfed identity create --home DIR --name NAME --role ROLE --key-out FILE [--json]` — makes a person's
 * Ed25519 key pair here, writes the private key to FILE (PKCS #8 PEM, 0600, never overwriting), and adds
 * {name, role, public key} to this org's roster through the running node (POST /v1/identities). The node
 * never sees the private key.
 */
import { rm } from 'node:fs/promises';
import { writeIdentityKey } from '../../node/registry/identity-key.ts';
import { generateKeyPair } from '../../protocol/crypto/ed25519.ts';
import { keyIdOf } from '../../protocol/dsse/index.ts';
import { toBase64 } from '../../protocol/encoding/bytes.ts';
import { isRole, ROLES } from '../../protocol/registry/roles.ts';
import { PERSON_NAME_PATTERN } from '../../protocol/registry/roster.ts';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson, formatKeyValues } from '../output.ts';

const NAME = 'identity create';
const NAME_RE = new RegExp(PERSON_NAME_PATTERN);

export const identityCreateCommand: CommandSpec = {
  name: NAME,
  summary: "Make a person's key and add them, with a role, to this org's roster.",
  usage: `${NAME} --name NAME --role ROLE --key-out FILE [--home DIR] [--json]`,
  description: `
Makes an Ed25519 key pair on this machine and writes the private key to FILE (PKCS #8 PEM, mode 0600;
an existing FILE is never overwritten). Then it adds {name, role, public key} to this org's roster through
the running node: a new roster version, signed by the node, logged and gossiped to every member, who
believe an approval only from a key their copy of this roster gives the role it claims. The node never
sees the private key: give FILE to the person, who signs with it (govfed model approve --key FILE).
Roles: ${ROLES.join(', ')}. A name already on the roster, or a node that is not running, fails and
removes the key file it just wrote.`,
  options: {
    ...CLIENT_OPTIONS,
    name: { type: 'string', value: 'NAME', description: 'the person, unique in this org' },
    role: { type: 'string', value: 'ROLE', description: ROLES.join(' | ') },
    'key-out': { type: 'string', value: 'FILE', description: 'where to write the private key (0600)' },
    ...JSON_OPTION,
  },
  examples: ['govfed identity create --home ./eu --name alice --role risk_officer --key-out alice.key'],
  async run(args, io) {
    const name = stringOption(args, 'name');
    const role = stringOption(args, 'role');
    const keyOut = stringOption(args, 'key-out');
    if (name === undefined || role === undefined || keyOut === undefined) {
      throw new UsageError(`${NAME}: give --name, --role and --key-out`);
    }
    if (!NAME_RE.test(name)) throw new UsageError(`${NAME}: --name must match ${PERSON_NAME_PATTERN}`);
    if (!isRole(role)) throw new UsageError(`${NAME}: --role must be one of ${ROLES.join(', ')} (got "${role}")`);
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const pair = generateKeyPair();
    await writeIdentityKey(keyOut, pair.seed);
    let roster: Record<string, unknown>;
    try {
      roster = await client.identities('POST', '', { name, role, publicKey: toBase64(pair.publicKey) });
    } catch (err) {
      await rm(keyOut, { force: true }); // nothing half-made: no key file for a person not on the roster
      throw err;
    }
    const out = {
      name,
      role,
      keyFile: keyOut,
      keyid: keyIdOf(pair.publicKey),
      publicKey: toBase64(pair.publicKey),
      rosterVersion: roster.version,
    };
    io.stdout(
      booleanOption(args, 'json')
        ? formatJson(out)
        : formatKeyValues([
            ['name', name],
            ['role', role],
            ['key file', `${keyOut} (keep it private: it signs for ${name})`],
            ['key id', out.keyid],
            ['roster version', String(roster.version)],
          ]),
    );
    return ExitCode.OK;
  },
};
