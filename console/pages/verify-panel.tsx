/**
 * The verify action of one decision: fetches its inclusion proof and the signed checkpoint and checks
 * them in the browser with the project's protocol code (logic/verify.ts), then shows every step and
 * what it was checked against. The key: one the person pins (from a source they trust), else the node's.
 */
import { useState } from 'preact/hooks';
import { commands } from '../logic/cli-commands.ts';
import { type VerifyOutcome, verifyDecision } from '../logic/verify.ts';
import { useApi } from '../ui/live.tsx';
import { CliCommand, KeyValues } from '../ui/parts.tsx';

const MARK = { passed: '✓', failed: '✗', 'not run': '–' } as const;

export function VerifyPanel(props: { index: number; onClose(): void }) {
  const api = useApi();
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<VerifyOutcome | undefined>();
  const run = async () => {
    setBusy(true);
    setOutcome(undefined);
    try {
      setOutcome(await verifyDecision(api, props.index, key.trim() === '' ? undefined : key.trim()));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card verify" aria-labelledby="verify-h">
      <h2 id="verify-h">Verify decision entry {props.index}</h2>
      <label for="pin-key">Pin the log's verifier key (optional)</label>
      <input
        id="pin-key"
        value={key}
        onInput={(e) => setKey((e.target as HTMLInputElement).value)}
        placeholder="govfed/org/…+…+…"
        aria-describedby="pin-help"
      />
      <p id="pin-help" class="muted">
        Without it the key is the one this node reports, which proves the entry is in a log signed by that key, not that
        the key is the one you trust.
      </p>
      <div class="row">
        <button type="button" onClick={run} disabled={busy}>
          {busy ? 'Verifying…' : 'Verify in this browser'}
        </button>
        <button type="button" class="secondary" onClick={props.onClose}>
          Close
        </button>
      </div>
      {outcome && <Outcome outcome={outcome} />}
      <CliCommand label="Or offline, with the CLI" command={commands.prove(props.index)} />
    </section>
  );
}

function Outcome(props: { outcome: VerifyOutcome }) {
  const o = props.outcome;
  return (
    <div class="outcome" data-verified={o.ok ? 'yes' : 'no'} role="status">
      <p class={o.ok ? 'verdict ok-text' : 'verdict bad-text'}>
        {o.ok
          ? `Verified: entry ${o.index} is in the log at tree size ${o.treeSize}, and its record is the one the leaf commits to.`
          : `Does NOT verify: ${o.error?.code} — ${o.error?.message}`}
      </p>
      <ol class="steps">
        {o.steps.map((s) => (
          <li key={s.id} class={`step-${s.state.replace(' ', '-')}`} data-step={s.id} data-state={s.state}>
            <span aria-hidden="true">{MARK[s.state]}</span> {s.label} <span class="sr-only">({s.state})</span>
          </li>
        ))}
      </ol>
      <KeyValues
        rows={[
          ['tree size', o.treeSize ?? '—'],
          ['root hash', <code key="r">{o.rootHash ?? '—'}</code>],
          ['origin', o.origin ?? '—'],
          ['verifier key', <code key="k">{o.verifierKey ?? '—'}</code>],
          ['key pinned', o.keyPinned ? 'yes' : 'NO — taken from this node'],
        ]}
      />
    </div>
  );
}
