/**
 * Login: a token of role auditor or admin (`govfed token create --role auditor`). It is checked against
 * the node (GET /v1/decisions?limit=1 needs auditor or admin) before anything is shown; an ingest token
 * or an unknown one is refused with the node's code.
 */
import { useState } from 'preact/hooks';
import { ApiError, ConsoleApi } from '../logic/api.ts';
import { TOKEN_RE } from '../session.ts';
import { ErrorBox } from '../ui/parts.tsx';

export function Login(props: { onLogin(token: string): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<{ code: string; message: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const t = token.trim();
    if (!TOKEN_RE.test(t)) {
      setError({
        code: 'ERR_VALIDATION',
        message: 'a govfed token looks like gf_auditor_… (from govfed token create)',
      });
      return;
    }
    setBusy(true);
    try {
      await new ConsoleApi(t).json('/v1/decisions?limit=1');
      props.onLogin(t);
    } catch (err) {
      const e2 = err instanceof ApiError ? err : new ApiError('ERR_UNREACHABLE', 0, String(err));
      const message =
        e2.code === 'ERR_FORBIDDEN'
          ? 'this token may not read the console: it needs the auditor or admin role'
          : e2.message;
      setError({ code: e2.code, message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="login">
      <h1>govfed console</h1>
      <p>Log in with an API token of this node with the auditor or admin role.</p>
      <form onSubmit={submit} autocomplete="off">
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          aria-describedby="token-help"
          required
        />
        <p id="token-help" class="muted">
          Make one with <code>govfed token create --role auditor</code>. It stays in this tab only and is never put in a
          URL.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Log in'}
        </button>
      </form>
      {error && <ErrorBox error={error} />}
    </main>
  );
}
