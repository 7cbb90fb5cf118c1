/**
 * Tests that need root (tmpfs mounts for full-disk tests, network namespaces with `ip netns` and
 * `tc netem`). CI runs as root; elsewhere such a suite is skipped and its title says
 * "skipped: needs root". `.ci/run` fails when CI=true and any suite titled so was skipped, so a root test
 * can never pass silently by not running.
 */
import { describe } from 'vitest';

/** True when this process runs as root (uid 0). */
export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

/** The marker in the title of a root-only suite that did not run (read by .ci/run). */
export const NEEDS_ROOT_MARK = 'skipped: needs root';

/** `describe` for a suite that needs root: runs as root, is skipped (and says so) otherwise. */
export function describeAsRoot(name: string, fn: () => void): void {
  describe.skipIf(!IS_ROOT)(IS_ROOT ? name : `${name} (${NEEDS_ROOT_MARK})`, fn);
}
