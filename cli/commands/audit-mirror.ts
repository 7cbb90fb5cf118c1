/**
 * `govfed audit mirror --out DIR` — writes the node's log as static C2SP tlog-tiles files (cli/tile-mirror.ts),
 * verified against the node's signed checkpoint, for any static file host or object store.
 */
import path from 'node:path';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, requireOption, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode } from '../exit.ts';
import { homeConfig, optionalHome, resolveTarget } from '../home.ts';
import { formatJson, formatKeyValues } from '../output.ts';
import { mirrorTiles } from '../tile-mirror.ts';

export const auditMirrorCommand: CommandSpec = {
  name: 'audit mirror',
  summary: "Write the node's log as static tlog-tiles files (verified), for static hosting.",
  usage: 'audit mirror --out DIR [--home HOME] [--api HOST:PORT] [--verifier-key VKEY] [--json]',
  description: `
Fetches GET /checkpoint and every tile and entry bundle of that tree (the public tlog-tiles routes, no
token needed) and writes them under DIR with the same paths: DIR/checkpoint, DIR/tile/<L>/<N>[.p/<W>],
DIR/tile/entries/<N>[.p/<W>]. Everything is verified against the checkpoint's signature and root before
DIR/checkpoint is replaced, so DIR always holds a complete, verified tree; tiles already in DIR are
reused (run it from cron: each run fetches only what is new). The verifier key is --verifier-key, else
the one pinned in HOME/config.json, else the one the node reports. Exit 1 when anything does not verify.`,
  options: {
    out: { type: 'string', value: 'DIR', description: 'the directory to write the tiles to (required)' },
    'verifier-key': { type: 'string', value: 'VKEY', description: "the log's verifier key (a C2SP note key)" },
    ...CLIENT_OPTIONS,
    ...JSON_OPTION,
  },
  examples: [
    'govfed audit mirror --home ./node --out /srv/www/acme-log',
    "govfed audit mirror --api node.acme.example:8700 --verifier-key 'govfed/acme/1a2b3c4d+…' --out ./mirror",
  ],
  async run(args, io) {
    const out = path.resolve(requireOption(args, 'audit mirror', 'out'));
    const client = new ApiClient(await resolveTarget(args, io, 'audit mirror'));
    const pinned = (await homeConfig(optionalHome(args, io)))?.verifierKey;
    const key = stringOption(args, 'verifier-key') ?? pinned ?? (await client.node()).verifierKey;
    const report = await mirrorTiles(
      { checkpoint: () => client.tlogCheckpoint(), tile: (p) => client.tile(p) },
      key,
      out,
    );
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson({ ...report, out }));
    } else {
      io.stdout(`OK: mirrored the tree of ${report.size} entries to ${out}\n\n`);
      io.stdout(
        formatKeyValues([
          ['origin', report.origin],
          ['tree size', report.size],
          ['root hash', report.rootHash],
          ['files fetched', report.fetched],
          ['files reused', report.reused],
          ['bytes written', report.bytesWritten],
        ]),
      );
    }
    return ExitCode.OK;
  },
};
