/**
 * The exact `govfed` command for an action the console does not perform: anything signed with a
 * person's key (approve, reject, suspend, revoke, reinstate — the node never receives private keys) and
 * what an operator signs with the node's key (policy and charter proposals). The person runs it where
 * their key is. Arguments are quoted for a POSIX shell.
 */

/** A shell word: bare when it is safe, else in single quotes. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

const cmd = (...words: string[]) => ['govfed', ...words.map(shellWord)].join(' ');

export interface ModelRef {
  org: string;
  name: string;
  version: string;
}

const ref = (m: ModelRef) => `${m.name}@${m.version}`;

export const commands = {
  approve: (m: ModelRef) => cmd('model', 'approve', ref(m), '--org', m.org, '--key', 'YOUR_KEY_FILE'),
  reject: (m: ModelRef) =>
    cmd('model', 'approve', ref(m), '--org', m.org, '--key', 'YOUR_KEY_FILE', '--reject', '--reason', 'REASON'),
  suspend: (m: ModelRef) =>
    cmd('model', 'suspend', ref(m), '--org', m.org, '--key', 'YOUR_KEY_FILE', '--reason', 'REASON'),
  revoke: (m: ModelRef) =>
    cmd('model', 'revoke', ref(m), '--org', m.org, '--key', 'YOUR_KEY_FILE', '--reason', 'REASON'),
  reinstate: (m: ModelRef) =>
    cmd('model', 'reinstate', ref(m), '--org', m.org, '--key', 'YOUR_KEY_FILE', '--reason', 'REASON'),
  policySign: (id: string) => cmd('policy', 'sign', id),
  federationSign: (id: string) => cmd('federation', 'sign', id),
  prove: (index: number) => cmd('audit', 'prove', '--index', String(index), '--out', `proof-${index}.json`),
  report: (m: ModelRef) =>
    cmd(
      'report',
      'model',
      `${m.org}/${ref(m)}`,
      '--out',
      `${m.name}-${m.version}-report.json`,
      '--html',
      `${m.name}-${m.version}-report.html`,
    ),
} as const;
