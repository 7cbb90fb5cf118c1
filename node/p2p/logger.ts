/**
 * libp2p's component logger, cheap while it is off. libp2p asks its logger for a new component logger
 * for every stream it opens or accepts (yamux names each stream), and @libp2p/logger builds three
 * `debug` (weald) instances each time — each one testing whether stderr is a terminal (an `isatty`
 * system call) and choosing a colour: 11–17 µs per stream on an idle core, more on a busy one, with
 * ~180 streams per charter version across a federation of 20 (docs/benchmarks.md, issue 17); a silent
 * one here costs ~1 µs. This logger hands out the library's own logger when DEBUG enables the
 * component (its name, or its `:error` or `:trace`), and a do-nothing one otherwise — so
 * `DEBUG=libp2p:*` and the like print exactly as before.
 */
import { enabled, logger } from '@libp2p/logger';

/** A libp2p component logger (the library's own type, @libp2p/interface's Logger). */
export type ComponentLog = ReturnType<typeof logger>;

/** What a silent logger's `error` and `trace` are (shared: they hold no name). */
const off = Object.assign(() => {}, { enabled: false });

/** A logger that prints nothing (what the library's is while DEBUG does not name it), named `name`. */
function silent(name: string): ComponentLog {
  return Object.assign(() => {}, {
    enabled: false,
    namespace: name,
    error: off,
    trace: off,
    newScope: (scope: string) => componentLog(`${name}:${scope}`),
  }) as unknown as ComponentLog;
}

/** The logger of component `name`: the library's when DEBUG names it (or its :error / :trace), else silent. */
export function componentLog(name: string): ComponentLog {
  return enabled(name) || enabled(`${name}:error`) || enabled(`${name}:trace`) ? logger(name) : silent(name);
}

/** For createLibp2p's `logger` option. */
export function quietLogger(): { forComponent(name: string): ComponentLog } {
  return { forComponent: componentLog };
}
