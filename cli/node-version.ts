/**
 * The oldest Node.js the CLI runs on. Kept free of imports so the entry point can check it before it
 * loads anything that needs a newer runtime.
 */
export const MIN_NODE_MAJOR = 22;

/** A message explaining why `version` (e.g. process.versions.node) is too old, or undefined when it is fine. */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number.parseInt(version.split('.')[0] ?? '', 10);
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) return undefined;
  return (
    `govfed needs Node.js ${MIN_NODE_MAJOR} or newer (it runs TypeScript directly); this is Node.js ${version}.\n` +
    'Run it through npm so the project-local Node.js is used: npx govfed ...\n'
  );
}
