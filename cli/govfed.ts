#!/usr/bin/env node
/**
 * The govfed command line (package.json "bin"). Checks the Node.js version first, then loads the CLI
 * with a dynamic import so that an old runtime gets a clear message instead of a syntax error.
 */
import { nodeVersionProblem } from './node-version.ts';

const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
  process.stderr.write(problem);
  process.exit(4);
}
// A reader that went away (`govfed verify … | head -1`) is not a failure of the command: drop what is
// left to write and keep the exit code the command returns.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
