/** Small shared pieces of the console's pages: status badges, times, errors, key/value lists, CLI commands. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export function Badge(props: { tone: 'ok' | 'warn' | 'bad' | 'info'; children: ComponentChildren }) {
  return <span class={`badge badge-${props.tone}`}>{props.children}</span>;
}

/** An RFC 3339 time, shown in UTC with the machine-readable value. */
export function Time(props: { value: string | null | undefined }) {
  if (props.value === null || props.value === undefined) return <span class="muted">never</span>;
  return <time dateTime={props.value}>{props.value.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>;
}

export function ErrorBox(props: { error: { code: string; message: string } }) {
  return (
    <p class="error" role="alert">
      <code>{props.error.code}</code> {props.error.message}
    </p>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p class="muted" aria-live="polite">
      Loading {props.what}…
    </p>
  );
}

export function KeyValues(props: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="kv">
      {props.rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** An action the console does not perform: the exact command, with a copy button. */
export function CliCommand(props: { label: string; command: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    navigator.clipboard?.writeText(props.command).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <div class="cli">
      <span class="cli-label">{props.label}</span>
      <code class="cli-command">{props.command}</code>
      <button type="button" class="small" onClick={copy} aria-label={`copy the command: ${props.label}`}>
        {copied ? 'copied' : 'copy'}
      </button>
    </div>
  );
}
