/**
 * "Verify in this browser" for what the node shows as signed (logic/signatures.ts): the charter chain
 * (federation page) and the members' policy receipts (policy page). Both first verify the charter chain
 * from the genesis against the federation id the person pins (from a source they trust) or, failing
 * that, the node's own — and say which — then show every check and what it was checked against.
 */
import { useState } from 'preact/hooks';
import {
  type ChainOutcome,
  checkCharters,
  checkReceipts,
  type ReceiptCheck,
  type ReceiptsOutcome,
} from '../logic/signatures.ts';
import { useApi } from '../ui/live.tsx';
import { Badge, KeyValues, Time } from '../ui/parts.tsx';

export const MARK = { passed: '✓', failed: '✗', 'not run': '–' } as const;

/** The optional pin and the run button, shared by both panels. */
export function useRun<T>(run: (pin?: string) => Promise<T>) {
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<T | undefined>();
  const go = async () => {
    setBusy(true);
    setOutcome(undefined);
    try {
      setOutcome(await run(pin.trim() === '' ? undefined : pin.trim()));
    } finally {
      setBusy(false);
    }
  };
  return { pin, setPin, busy, outcome, go };
}

export function PinAndRun(props: {
  id: string;
  pin: string;
  setPin(v: string): void;
  busy: boolean;
  go(): void;
  label: string;
}) {
  return (
    <>
      <label for={`${props.id}-pin`}>Pin the federation id (optional)</label>
      <input
        id={`${props.id}-pin`}
        value={props.pin}
        onInput={(e) => props.setPin((e.target as HTMLInputElement).value)}
        placeholder="64 hex digits"
        aria-describedby={`${props.id}-pin-help`}
      />
      <p id={`${props.id}-pin-help`} class="muted">
        The federation id is the SHA-256 of the genesis charter. Without a pin the node's own is used: that proves the
        chain is consistent, not that it is the federation you trust.
      </p>
      <button type="button" onClick={props.go} disabled={props.busy}>
        {props.busy ? 'Verifying…' : props.label}
      </button>
    </>
  );
}

function ChainResult(props: { chain: ChainOutcome }) {
  const c = props.chain;
  return (
    <div class="outcome" data-chain-verified={c.ok ? 'yes' : 'no'} role="status">
      <p class={c.ok ? 'verdict ok-text' : 'verdict bad-text'}>
        {c.ok
          ? `Charter chain verified: ${c.versions.length} version${c.versions.length === 1 ? '' : 's'} from the genesis, each signed as the charter requires.`
          : `Charter chain does NOT verify: ${c.error?.code} — ${c.error?.message}`}
      </p>
      <KeyValues
        rows={[
          ['federation id', <code key="f">{c.federationId ?? '—'}</code>],
          ['id pinned', c.pinned ? 'yes' : 'NO — taken from this node'],
        ]}
      />
      <ol class="steps">
        {c.versions.map((v) => (
          <li
            key={v.version}
            class={`step-${v.state.replace(' ', '-')}`}
            data-charter-version={v.version}
            data-state={v.state}
          >
            <span aria-hidden="true">{MARK[v.state]}</span> version {v.version}
            {v.version === 1
              ? ': its SHA-256 is the federation id; every founder signed'
              : `: signed by enough members of version ${v.version - 1}`}
            {v.rule && ` (rule ${v.rule})`}
            {v.signers.length > 0 && ` — signed by ${v.signers.join(', ')}`}
            {v.error && (
              <>
                {' '}
                — <code>{v.error.code}</code> {v.error.message}
              </>
            )}
            <span class="sr-only"> ({v.state})</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The federation page's panel: the charter chain's signatures. */
export function CharterVerify() {
  const api = useApi();
  const r = useRun((pin) => checkCharters(api, pin));
  return (
    <section class="card verify" aria-labelledby="charter-verify-h">
      <h2 id="charter-verify-h">Verify the charter's signatures</h2>
      <PinAndRun id="charter" label="Verify the charter in this browser" {...r} />
      {r.outcome && <ChainResult chain={r.outcome} />}
    </section>
  );
}

function ReceiptResult(props: { check: ReceiptCheck }) {
  const c = props.check;
  return (
    <li data-receipt-org={c.org} data-verified={c.verdict}>
      <strong>{c.org}</strong>{' '}
      {c.verdict === 'verified' ? (
        <Badge tone="ok">receipt verified</Badge>
      ) : c.verdict === 'none' ? (
        <Badge tone="warn">no receipt</Badge>
      ) : (
        <Badge tone="bad">receipt does NOT verify</Badge>
      )}
      {c.signed && (
        <span class="muted">
          {' '}
          signs version {c.signed.version}, {c.signed.bundleHash.slice(0, 19)}…, log entry {c.signed.logIndex}, applied{' '}
          <Time value={c.signed.appliedAt} />
        </span>
      )}
      {c.error && (
        <p class="bad-text">
          <code>{c.error.code}</code> {c.error.message}
        </p>
      )}
      {c.verdict !== 'none' && (
        <ol class="steps">
          {c.steps.map((s) => (
            <li key={s.id} class={`step-${s.state.replace(' ', '-')}`} data-step={s.id} data-state={s.state}>
              <span aria-hidden="true">{MARK[s.state]}</span> {s.label} <span class="sr-only">({s.state})</span>
            </li>
          ))}
        </ol>
      )}
    </li>
  );
}

/** The policy page's panel: each member's signed receipt, against the verified charter. */
export function ReceiptsVerify() {
  const api = useApi();
  const r = useRun<ReceiptsOutcome>((pin) => checkReceipts(api, pin));
  return (
    <section class="card verify" aria-labelledby="receipts-verify-h">
      <h3 id="receipts-verify-h">Verify the receipts</h3>
      <PinAndRun id="receipts" label="Verify the receipts in this browser" {...r} />
      {r.outcome && (
        <>
          <ChainResult chain={r.outcome.chain} />
          {r.outcome.receipts.length > 0 && (
            <ul class="receipts" aria-label="Receipts checked">
              {r.outcome.receipts.map((c) => (
                <ReceiptResult key={c.org} check={c} />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
