/**
 * The oldest Node.js the CLI runs on. Kept free of imports so the entry point can check it before it
 * loads anything that needs a newer runtime.
 *
 * govfed runs its TypeScript directly, so Node.js must strip types without a flag: that is the default
 * from 22.18.0 on the 22 line and from 23.6.0 on the 23 line (and in every later major). An older 22 or
 * 23 would fail with ERR_UNKNOWN_FILE_EXTENSION on the first `.ts` import. cli/govfed.mjs repeats the
 * same two constants and rule (a test keeps them in step).
 */
export const MIN_NODE = '22.18.0';
export const MIN_NODE_23 = '23.6.0';

/** [major, minor, patch] of `x.y.z` (missing or garbled parts are NaN). */
function parts(version: string): number[] {
  return version.split('.').map((p) => (/^[0-9]+$/.test(p) ? Number(p) : Number.NaN));
}

function atLeast(version: string, min: string): boolean {
  const v = parts(version);
  const m = parts(min);
  for (let i = 0; i < 3; i++) {
    const a = v[i] ?? Number.NaN;
    const b = m[i] ?? 0;
    if (!(a === b)) return a > b;
  }
  return true;
}

/** True when `version` (e.g. process.versions.node) runs `.ts` files without a flag. */
export function stripsTypesByDefault(version: string): boolean {
  const major = parts(version)[0] ?? Number.NaN;
  if (!Number.isInteger(major) || major < 22) return false;
  if (major === 22) return atLeast(version, MIN_NODE);
  if (major === 23) return atLeast(version, MIN_NODE_23);
  return true;
}

/** A message explaining why `version` is too old, or undefined when it is fine. */
export function nodeVersionProblem(version: string): string | undefined {
  if (stripsTypesByDefault(version)) return undefined;
  return (
    `govfed needs Node.js ${MIN_NODE} or newer (${MIN_NODE_23} on the 23 line): it runs TypeScript directly, ` +
    `which Node.js does without a flag only from those versions; this is Node.js ${version}.\n` +
    'Run it through npm so the project-local Node.js 24 is used: npx govfed ...\n'
  );
}
