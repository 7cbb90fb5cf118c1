/** Waiting in the demo: polls `fn` every 200 ms until it gives a value (not undefined or false), 30 s at most. */
import { CliError, ExitCode } from '../exit.ts';

export async function poll<T>(what: string, fn: () => Promise<T | undefined | false>): Promise<T> {
  const end = Date.now() + 30_000;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new CliError(ExitCode.ERROR, `demo: ${what} did not happen within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
