#!/usr/bin/env node
// The govfed executable (package.json "bin"). Plain JavaScript so that any Node.js can run this check:
// an old Node cannot even load a .ts file, so it would fail with ERR_UNKNOWN_FILE_EXTENSION otherwise.
const MIN_NODE_MAJOR = 22; // keep in step with cli/node-version.ts (a test checks it)
const major = Number.parseInt(process.versions.node.split('.')[0] ?? '', 10);
if (!(major >= MIN_NODE_MAJOR)) {
  process.stderr.write(
    `govfed needs Node.js ${MIN_NODE_MAJOR} or newer (it runs TypeScript directly); this is Node.js ${process.versions.node}.\n` +
      'Run it through npm so the project-local Node.js is used: npx govfed ...\n',
  );
  process.exit(4);
}
await import('./govfed.ts');
