/**
 * `govfed keys rotate --witness | --peer | --log` — rotate this node's witness, peer or log key, carried by
 * a charter change (POST /v1/keys/rotate; node/federation/rotation.ts, log-rotation.ts).
 */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { formatOperation } from '../federation-view.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';

const NAME = 'keys rotate';

export const keysRotateCommand: CommandSpec = {
  name: NAME,
  summary: "Rotate this node's witness, peer or log key (a charter change).",
  usage: `${NAME} (--witness | --peer | --log) [--home DIR] [--json]`,
  description: `
--witness: the node makes a fresh witness (cosignature) key and proposes the charter with its own
witnessKey replaced. That change needs the charter threshold of member signatures, this node's
included: with a threshold of 1 it takes effect at once, otherwise other members co-sign it with
'govfed federation sign ID'. Once the charter lists the new key, the node writes it to keys/witness.key
and config.json, signs its member card again, and cosigns with it from then on; members check its
cosignatures against the new key only. Logs outside the federation that use this node as a
tlog-witness must be given the new key: 'govfed member card' shows it (witnessKey).

--peer: the node makes a fresh libp2p identity (keys/peer.key.next) and proposes the charter with its
org seated under the new peer id, signed by its old key and by the new one. It needs the charter
threshold like --witness. Once the charter seats the org under the new peer id, the node writes the key
to keys/peer.key and config.json, signs its member card again and starts again in the same process
(same API address; 'govfed start' does this) with the new identity; members close the old peer id's
connections and accept the new one. Pending charter changes signed with the old key no longer count.

--log: the node makes a fresh log key (keys/log.key.next) and proposes the charter with its logKey
replaced and the old one added to its retiredLogKeys. A new log key means a new log with a new origin
(govfed/<org>/<new key id>). It needs the charter threshold like --witness. Once the charter lists the
new key, the node appends a log.rotated entry to the old log and signs a last checkpoint, names the new
origin in config.json and its member card, and starts again in the same process: the old log moves to
DIR/retired/<old key id>/ (read-only; the old private key is deleted) and the new log begins with
node.init and a log.rotated entry that commits to the old log's final tree. The old log stays
provable under the old key: members keep witnessing it, and 'govfed audit prove --origin <old origin>'
works as before. Decisions go to the new log from then on; decision search and GET /v1/log/* read the
new log only.

An org's node run as several processes on one PostgreSQL database (store.shared): rotate through the
process holding the lease (a follower refuses with ERR_NOT_LEADER, naming it). The new key is recorded
in the database as the org's before it goes into that home; the other processes then stop with
ERR_KEYS_OUTDATED, and their homes must be made again with 'govfed ha add-process --from <this home>'
(docs/operators-guide.md, "Running an org's node highly available"). --log is refused there.`,
  options: {
    ...CLIENT_OPTIONS,
    witness: { type: 'boolean', description: 'rotate the witness (cosignature) key' },
    peer: { type: 'boolean', description: 'rotate the peer key (libp2p identity); the node restarts in place' },
    log: { type: 'boolean', description: 'rotate the log key: a new log and origin; the node restarts in place' },
    ...JSON_OPTION,
  },
  examples: [
    'govfed keys rotate --home ./eu --witness',
    'govfed keys rotate --home ./eu --peer',
    'govfed keys rotate --home ./eu --log',
  ],
  async run(args, io) {
    const chosen = (['witness', 'peer', 'log'] as const).filter((k) => booleanOption(args, k));
    const key = chosen[0];
    if (chosen.length !== 1 || key === undefined) {
      throw new UsageError(`${NAME}: give one of --witness, --peer or --log (the key to rotate)`);
    }
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.keysRotate(key);
    io.stdout(booleanOption(args, 'json') ? formatJson(r) : formatOperation(r));
    return ExitCode.OK;
  },
};
