/**
 * `govfed init --home DIR --org ORG [--jurisdiction CODE] [--api HOST:PORT] [--listen MULTIADDR]
 * [--store postgres://… [--shared]]` — creates a node home: the log signing key and the libp2p key (mode 0600, never printed), config.json
 * and an admin API token in DIR/admin.token. Prints what others need to know about the node: its org,
 * peer id, log origin and verifier key, and where its API listens.
 */

import { isJurisdictionCode, isOrg, ORG_PATTERN } from '../../node/home/config.ts';
import { JURISDICTION_PATTERN } from '../../protocol/audit/fields.ts';
import {
  booleanOption,
  type CommandSpec,
  HOME_OPTION,
  JSON_OPTION,
  parseHostPort,
  requireOption,
  stringOption,
} from '../args.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveHome } from '../home.ts';
import { formatJson, formatKeyValues } from '../output.ts';

export const initCommand: CommandSpec = {
  name: 'init',
  summary: 'Create a node home: keys, config and an admin API token.',
  usage:
    'init --home DIR --org ORG [--jurisdiction CODE] [--api HOST:PORT] [--listen MULTIADDR] [--store postgres://… [--shared]] [--json]',
  description: `
Writes DIR/config.json, DIR/keys/log.key, DIR/keys/peer.key and DIR/keys/witness.key (mode 0600), DIR/tokens.json and the admin
token DIR/admin.token (mode 0600). Refuses to overwrite an existing home. ORG is lowercase letters,
digits, '.' and '-' (at most 63). The log origin is govfed/ORG/<key id>; share the verifier key with
whoever checks your proofs. DIR/keys/witness.key (mode 0600) cosigns other members' checkpoints; its
public witness key goes into the federation charter. DIR/member-card.json is the node's member card:
org, jurisdiction, peer id, log and witness keys and listen address, signed with the peer key. To join a
federation, hand that file to a member, who runs 'govfed federation invite --card FILE' (no values to
copy by hand). With the default --listen (a wildcard address) the card lists no address: members find
the node when it dials them. --json prints {org, peerId, origin, verifierKey, witnessKey, api,
tokenFile, memberCard}. --store postgres://USER[:PASSWORD]@HOST:PORT/DATABASE keeps the audit log in that
PostgreSQL database instead of the embedded LevelDB in DIR/data (an org's node run highly available, see
docs/operators-guide.md); the password, if the URL has one, is moved to DIR/keys/store.password (mode
0600), never into config.json. The daemon creates the log's tables at its first start. --shared (with
--store) lets several govfed processes of the org run on that database, each with its own home made by
'govfed ha add-process --from DIR': one holds the writer lease and runs the org's node, the others
follow and take over when it goes (config.json store.shared; 'govfed config set store.shared' changes it).`,
  options: {
    ...HOME_OPTION,
    org: { type: 'string', value: 'ORG', description: 'the organisation that runs this node (required)' },
    jurisdiction: {
      type: 'string',
      value: 'CODE',
      description: 'where the node operates, e.g. DE, US-CA, EU (default: ZZ, unknown)',
    },
    api: { type: 'string', value: 'HOST:PORT', description: 'HTTP API address (default: 127.0.0.1:7370; port 0: any)' },
    listen: {
      type: 'string',
      value: 'MULTIADDR',
      description: 'peer-to-peer address (default: /ip4/0.0.0.0/tcp/7371)',
    },
    store: {
      type: 'string',
      value: 'URL',
      description: 'keep the audit log in PostgreSQL: postgres://USER[:PASSWORD]@HOST:PORT/DATABASE',
    },
    shared: {
      type: 'boolean',
      description: 'with --store: several processes of the org on that database (govfed ha add-process)',
    },
    ...JSON_OPTION,
  },
  examples: [
    'govfed init --home ./node --org acme --jurisdiction DE',
    'govfed init --home ./node-a --org acme --store postgres://govfed@db.example:5432/govfed --shared',
  ],
  async run(args, io) {
    const dir = resolveHome(args, io, 'init');
    const org = requireOption(args, 'init', 'org');
    const api = stringOption(args, 'api');
    if (api !== undefined) parseHostPort('init', 'api', api);
    const jurisdiction = stringOption(args, 'jurisdiction');
    if (!isOrg(org)) throw new UsageError(`init: --org must match ${ORG_PATTERN}, got '${org}'`);
    if (jurisdiction !== undefined && !isJurisdictionCode(jurisdiction)) {
      throw new UsageError(`init: --jurisdiction must match ${JURISDICTION_PATTERN}, got '${jurisdiction}'`);
    }
    const listen = stringOption(args, 'listen');
    const store = stringOption(args, 'store');
    if (store !== undefined && !/^postgres(ql)?:\/\//.test(store)) {
      throw new UsageError(`init: --store must be a postgres:// URL`);
    }
    const shared = booleanOption(args, 'shared');
    if (shared && store === undefined) {
      throw new UsageError('init: --shared needs --store postgres://… (the embedded LevelDB serves one process)');
    }
    const { initHome } = await import('../../node/home/index.ts');
    const r = await initHome({
      dir,
      org,
      ...(jurisdiction === undefined ? {} : { jurisdiction }),
      ...(api === undefined ? {} : { api }),
      ...(listen === undefined ? {} : { listen }),
      ...(store === undefined ? {} : { store }),
      ...(shared ? { shared } : {}),
    });
    const result = {
      org: r.org,
      peerId: r.peerId,
      origin: r.origin,
      verifierKey: r.verifierKey,
      witnessKey: r.witnessKey,
      api: r.api,
      tokenFile: r.tokenFile,
      memberCard: r.memberCard,
    };
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson(result));
      return ExitCode.OK;
    }
    io.stdout(`initialized a govfed node in ${dir}\n\n`);
    io.stdout(
      formatKeyValues([
        ['org', result.org],
        ['peer id', result.peerId],
        ['log origin', result.origin],
        ['verifier key', result.verifierKey],
        ['witness key', result.witnessKey],
        ['api', result.api],
        ['admin token', result.tokenFile],
        ['member card', result.memberCard],
      ]),
    );
    io.stdout(`\nstart it with: govfed start --home ${dir}\n`);
    io.stdout(`to join a federation, give ${result.memberCard} to a member (govfed federation invite --card)\n`);
    return ExitCode.OK;
  },
};
