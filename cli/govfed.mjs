#!/usr/bin/env node
// The govfed executable (package.json "bin"). Plain JavaScript so that any Node.js can run this check:
// an old Node cannot even load a .ts file, so it would fail with ERR_UNKNOWN_FILE_EXTENSION otherwise.
// govfed runs TypeScript directly, which Node.js does without a flag from 22.18.0 (23.6.0 on the 23 line).
const MIN_NODE = '22.18.0'; // keep in step with cli/node-version.ts (a test checks it)
const MIN_NODE_23 = '23.6.0';
const parts = (v) => v.split('.').map((p) => (/^[0-9]+$/.test(p) ? Number(p) : Number.NaN));
const atLeast = (v, min) => {
  const a = parts(v);
  const m = parts(min);
  for (let i = 0; i < 3; i++) if (!(a[i] === m[i])) return a[i] > m[i];
  return true;
};
const version = process.versions.node;
const major = parts(version)[0];
const ok = major === 22 ? atLeast(version, MIN_NODE) : major === 23 ? atLeast(version, MIN_NODE_23) : major > 23;
if (!ok) {
  process.stderr.write(
    `govfed needs Node.js ${MIN_NODE} or newer (${MIN_NODE_23} on the 23 line): it runs TypeScript directly, ` +
      `which Node.js does without a flag only from those versions; this is Node.js ${version}.\n` +
      'Run it through npm so the project-local Node.js 24 is used: npx govfed ...\n',
  );
  process.exit(4);
}
await import('./govfed.ts');
