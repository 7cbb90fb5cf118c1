/**
 * The live-update stream as a Preact context: the shell opens one stream (logic/live-client.ts) and
 * pages subscribe to the topics they show; `useLoad` reloads a page's data when one of them fires.
 */
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { ConsoleApi } from '../logic/api.ts';

type Listener = (topic: string, data: Record<string, unknown>) => void;

export interface LiveBus {
  subscribe(fn: Listener): () => void;
}

export function createBus(): LiveBus & { emit: Listener } {
  const listeners = new Set<Listener>();
  return {
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    emit(topic, data) {
      for (const fn of [...listeners]) fn(topic, data);
    },
  };
}

export const LiveContext = createContext<LiveBus>({ subscribe: () => () => {} });
export const ApiContext = createContext<ConsoleApi | undefined>(undefined);

export function useApi(): ConsoleApi {
  const api = useContext(ApiContext);
  if (api === undefined) throw new Error('no API: render inside the logged-in shell');
  return api;
}

export interface Loaded<T> {
  data?: T;
  error?: { code: string; message: string };
  loading: boolean;
  reload(): void;
}

/** Loads with `load`, again when `deps` change or a live event of `topics` arrives. */
export function useLoad<T>(
  load: (api: ConsoleApi) => Promise<T>,
  topics: readonly string[],
  deps: unknown[] = [],
): Loaded<T> {
  const api = useApi();
  const live = useContext(LiveContext);
  const [state, setState] = useState<{ data?: T; error?: { code: string; message: string }; loading: boolean }>({
    loading: true,
  });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load(api).then(
      (data) => n === seq.current && setState({ data, loading: false }),
      (err: { code?: string; message?: string }) =>
        n === seq.current &&
        setState((s) => ({
          ...s,
          loading: false,
          error: { code: err.code ?? 'ERR_INTERNAL', message: err.message ?? '' },
        })),
    );
  }, [api, ...deps]);
  useEffect(run, [run]);
  const watched = topics.join(',');
  useEffect(
    () =>
      live.subscribe((topic) => {
        if (watched.split(',').includes(topic)) run();
      }),
    [live, run, watched],
  );
  return { ...state, reload: run };
}
