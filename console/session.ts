/**
 * The token the person logged in with: kept in sessionStorage (this tab only, gone when it closes), sent
 * only in Authorization headers (logic/api.ts) — never in a URL, a cookie or a log line.
 */
const KEY = 'govfed.console.token';
/** The syntax of a govfed token (node/home/tokens.ts TOKEN_PATTERN). */
export const TOKEN_RE = /^gf_(ingest|auditor|admin)_[A-Za-z0-9_-]{43}$/;

export function savedToken(): string | undefined {
  const t = sessionStorage.getItem(KEY) ?? undefined;
  return t !== undefined && TOKEN_RE.test(t) ? t : undefined;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
