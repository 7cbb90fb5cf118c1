/**
 * A host process for bench/hosted-cluster.ts: `node bench/host.ts HOME…` starts one real node (the
 * Daemon `govfed start` runs: its own LevelDB, libp2p host on 127.0.0.1, HTTP server) per home in this
 * one process, prints `ready <home> <url>` for each on stdout, writes every node's events to stderr
 * (each line names its org), and stops them all on SIGTERM. Several nodes per process make N = 50 fit
 * on a small machine: the per-process cost (a V8 heap, an event loop) is paid once per host, not per node.
 * With GOVFED_HOST_PROFILE=FILE, SIGUSR2 starts V8's CPU profiler and SIGTERM writes the profile to FILE
 * (a .cpuprofile for Chrome DevTools) before stopping: a profile of a chosen phase (bench/idle-cost.ts).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tuneDaemonHeap } from '../cli/heap.ts';
import { Daemon } from '../node/daemon.ts';
import { loadHome } from '../node/home/index.ts';

// The V8 settings `govfed start` applies to a daemon's process (cli/heap.ts).
tuneDaemonHeap();
const daemons: Daemon[] = [];
for (const dir of process.argv.slice(2)) {
  const d = new Daemon(await loadHome(dir), {
    defaultMetrics: false,
    stdout: () => {},
    stderr: (line) => process.stderr.write(line),
  });
  await d.start();
  daemons.push(d);
  process.stdout.write(`ready ${dir} ${d.url}\n`);
}

const profileFile = process.env.GOVFED_HOST_PROFILE;
let session: Session | undefined;
if (profileFile !== undefined) {
  process.on('SIGUSR2', () => {
    session = new Session();
    session.connect();
    void session.post('Profiler.enable').then(() => session?.post('Profiler.start'));
  });
}

process.on('SIGTERM', () => {
  void (async () => {
    if (session !== undefined && profileFile !== undefined) {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(profileFile, JSON.stringify(profile));
    }
    await Promise.allSettled(daemons.map((d) => d.stop()));
    process.exit(0);
  })();
});
