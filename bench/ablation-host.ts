/**
 * The daemon process of bench/ingest-ablation.bench.ts: `node bench/ablation-host.ts HOME LAYOUT [unsynced]`
 * starts the real Daemon that `govfed start` runs (fastify, ingest workers, LevelDB in HOME, group commit)
 * with its log store wrapped by bench/ablation-db.ts (LAYOUT: full, no-search, no-index, minimal or none; with
 * `unsynced`, batches are written without fsync; with `array`, as one array batch), prints the daemon's "listening on URL" line on stdout and
 * stops it on SIGTERM. A bench-only process: the store it writes is not a valid log except with `full`.
 */
import { tuneDaemonHeap } from '../cli/heap.ts';
import { Daemon } from '../node/daemon.ts';
import { loadHome } from '../node/home/index.ts';
import { type AblationLayout, ablationDb } from './ablation-db.ts';

const [home, layout, ...flags] = process.argv.slice(2);
const LAYOUTS: readonly string[] = ['full', 'no-search', 'no-index', 'minimal', 'none'];
if (home === undefined || layout === undefined || !LAYOUTS.includes(layout)) {
  process.stderr.write(`usage: ablation-host.ts HOME ${LAYOUTS.join('|')} [unsynced] [array]\n`);
  process.exit(2);
}
tuneDaemonHeap(); // the V8 settings `govfed start` applies to a daemon's process (cli/heap.ts)
const daemon = new Daemon(await loadHome(home), {
  stdout: (line) => process.stdout.write(line.endsWith('\n') ? line : `${line}\n`),
  stderr: (line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
  log: {
    wrapDb: (db) =>
      ablationDb(db, {
        layout: layout as AblationLayout,
        unsynced: flags.includes('unsynced'),
        arrayBatch: flags.includes('array'),
      }),
  },
});
await daemon.start();

process.on('SIGTERM', () => {
  void daemon.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`stop failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
});
