/**
 * The console's shell: login gate (nothing is read before a token is given), one live-update stream for
 * all pages, the navigation (hash routes #/federation, #/models, #/decisions, #/policy — the token is
 * never in the URL), and logout.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ConsoleApi } from './logic/api.ts';
import { type LiveState, runLive } from './logic/live-client.ts';
import { DecisionsPage } from './pages/decisions.tsx';
import { FederationPage } from './pages/federation.tsx';
import { Login } from './pages/login.tsx';
import { ModelsPage } from './pages/models.tsx';
import { PolicyPage } from './pages/policy.tsx';
import { forgetToken, savedToken, saveToken } from './session.ts';
import { ApiContext, createBus, LiveContext, useLoad } from './ui/live.tsx';

const PAGES = {
  federation: { title: 'Federation', Page: FederationPage },
  models: { title: 'Models', Page: ModelsPage },
  decisions: { title: 'Decisions', Page: DecisionsPage },
  policy: { title: 'Policy', Page: PolicyPage },
} as const;

type PageName = keyof typeof PAGES;

function pageOfHash(): PageName {
  const name = location.hash.replace(/^#\/?/, '');
  return name in PAGES ? (name as PageName) : 'federation';
}

export function App() {
  const [token, setToken] = useState(savedToken);
  if (token === undefined) {
    return (
      <Login
        onLogin={(t) => {
          saveToken(t);
          setToken(t);
        }}
      />
    );
  }
  return (
    <Shell
      token={token}
      onLogout={() => {
        forgetToken();
        setToken(undefined);
      }}
    />
  );
}

function Shell(props: { token: string; onLogout(): void }) {
  const api = useMemo(() => new ConsoleApi(props.token), [props.token]);
  const bus = useMemo(createBus, []);
  const [page, setPage] = useState<PageName>(pageOfHash);
  const [live, setLive] = useState<LiveState>('connecting');
  const [lastEvent, setLastEvent] = useState<string>('');
  const logout = useRef(props.onLogout);
  logout.current = props.onLogout;
  useEffect(() => {
    const onHash = () => setPage(pageOfHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    const abort = new AbortController();
    void runLive(
      api,
      {
        onEvent: (topic, data) => {
          if (topic !== 'ready') setLastEvent(`${topic}${typeof data.what === 'string' ? ` (${data.what})` : ''}`);
          bus.emit(topic, data);
        },
        onState: (state, code) => {
          setLive(state);
          if (code === 'ERR_UNAUTHORIZED') logout.current();
        },
      },
      abort.signal,
    );
    return () => abort.abort();
  }, [api, bus]);
  useEffect(() => {
    document.title = `${PAGES[page].title} · govfed console`;
  }, [page]);
  const { Page } = PAGES[page];
  return (
    <ApiContext.Provider value={api}>
      <LiveContext.Provider value={bus}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header>
          <NodeName />
          <nav aria-label="Pages">
            <ul>
              {(Object.keys(PAGES) as PageName[]).map((p) => (
                <li key={p}>
                  <a href={`#/${p}`} aria-current={p === page ? 'page' : undefined}>
                    {PAGES[p].title}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <p class="live" aria-live="polite" data-live={live}>
            {live === 'live'
              ? 'Live'
              : live === 'retrying'
                ? 'Reconnecting…'
                : live === 'stopped'
                  ? 'Not live'
                  : 'Connecting…'}
            {lastEvent && <span class="muted"> · last: {lastEvent}</span>}
          </p>
          <button type="button" class="secondary" onClick={props.onLogout}>
            Log out
          </button>
        </header>
        <main id="main" tabIndex={-1}>
          <Page />
        </main>
      </LiveContext.Provider>
    </ApiContext.Provider>
  );
}

function NodeName() {
  const info = useLoad((api) => api.json<{ org: string; jurisdiction: string; origin: string }>('/v1/node'), []);
  return (
    <p class="brand">
      <strong>govfed</strong> {info.data ? `${info.data.org} (${info.data.jurisdiction})` : ''}
    </p>
  );
}
