/**
 * Shared by the `govfed policy` commands: reading a rules/bundle file, and formatting the node's policy
 * answers for people (everything the node returns is untrusted; output.ts escapes it).
 */

import { readFile } from 'node:fs/promises';
import { parseStrictJson } from '../../protocol/encoding/strict-json.ts';
import { UsageError } from '../exit.ts';
import { formatKeyValues, formatTable } from '../output.ts';

type Rec = Record<string, unknown>;

/** Largest rules or bundle file read. */
export const MAX_POLICY_FILE_BYTES = 512 * 1024;

function rec(v: unknown): Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {};
}

function list(v: unknown): Rec[] {
  return Array.isArray(v) ? v.map(rec) : [];
}

/**
 * Reads a JSON file strictly (protocol/encoding/strict-json.ts: no duplicate keys, no number a double
 * would change, no bidi control in a key — what is proposed is what the file says). A usage error when it
 * cannot be read or parsed, or is too large.
 */
export async function readJsonFile(command: string, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new UsageError(`${command}: cannot read '${file}'`, { cause });
  }
  if (text.length > MAX_POLICY_FILE_BYTES) {
    throw new UsageError(`${command}: '${file}' is larger than ${MAX_POLICY_FILE_BYTES} bytes`);
  }
  try {
    return parseStrictJson(text);
  } catch (cause) {
    throw new UsageError(`${command}: '${file}' is not strict JSON: ${(cause as Error).message}`, { cause });
  }
}

function short(digest: unknown): string {
  return typeof digest === 'string' ? digest.slice(0, 7 + 16) : '-';
}

/** One proposal: id, version, signatures, whether it is applied. */
export function formatProposal(value: unknown): string {
  const p = rec(value);
  const signed = Array.isArray(p.signedBy) ? p.signedBy.length : 0;
  const state = p.applied === true ? 'applied' : p.complete === true ? 'complete' : 'pending';
  return formatKeyValues([
    ['id', p.id],
    ['version', p.version],
    ['signatures', `${signed} of ${p.required} required`],
    ['state', state],
  ]);
}

function rulesTable(rules: Rec[]): string {
  if (rules.length === 0) return '  (none)\n';
  return formatTable(
    ['ID', 'HOOK', 'EFFECT', 'EXPRESSION'],
    rules.map((r) => [r.id, r.hook, r.effect, r.expression]),
  );
}

/** `policy show`: the active baseline and the local overlay. */
export function formatPolicy(value: unknown): string {
  const s = rec(value);
  const local = rec(s.local);
  let out = formatKeyValues([
    ['baseline version', s.version === 0 ? 'none' : s.version],
    ['digest', s.digest ?? '-'],
    ['expires', s.expiresAt === null ? '-' : `${s.expiresAt}${s.expired === true ? '  EXPIRED (still enforced)' : ''}`],
  ]);
  out += `\nglobal rules:\n${rulesTable(list(s.rules))}`;
  out += `\nlocal rules (version ${local.version ?? 0}):\n${rulesTable(list(local.rules))}`;
  return out;
}

/** `policy local show` / `local set`. */
export function formatLocal(value: unknown): string {
  const l = rec(value);
  return `local rules (version ${l.version ?? 0}):\n${rulesTable(list(l.rules))}`;
}

/** `policy status`: this node, then every member's applied version and receipt. */
export function formatPolicyStatus(value: unknown): string {
  const s = rec(value);
  const self = rec(s.self);
  let out = formatKeyValues([
    ['baseline version', self.version === 0 ? 'none' : self.version],
    ['digest', self.digest ?? '-'],
    ['expires', self.expiresAt === null ? '-' : `${self.expiresAt}${self.expired === true ? '  EXPIRED' : ''}`],
    ['audit log index', self.logIndex ?? '-'],
    ['local rules', `${self.localRules ?? 0} (version ${self.localVersion ?? 0})`],
  ]);
  const members = list(s.members);
  if (members.length > 0) {
    out += `\n${formatTable(
      ['ORG', 'VERSION', 'BUNDLE', 'RECEIPT LOG INDEX'],
      members.map((m) => {
        const r = rec(m.receipt);
        let logIndex: unknown = '-';
        if (typeof r.payload === 'string') {
          try {
            logIndex = rec(JSON.parse(Buffer.from(r.payload, 'base64').toString('utf8'))).logIndex ?? '-';
          } catch {
            logIndex = '?';
          }
        }
        return [`${m.org}${m.self === true ? ' (self)' : ''}`, m.version ?? '-', short(m.bundleHash), logIndex];
      }),
    )}`;
  }
  const pending = list(s.pending);
  if (pending.length > 0) {
    out += `\npending proposals:\n${formatTable(
      ['ID', 'VERSION', 'SIGNATURES'],
      pending.map((p) => [p.id, p.version, `${Array.isArray(p.signedBy) ? p.signedBy.length : 0}/${p.required}`]),
    )}`;
  }
  const forks = list(s.forks);
  if (forks.length > 0) {
    out += `\nFORKS (rival bundles signed by enough members; the current baseline is kept):\n${formatTable(
      ['VERSION', 'DIGEST'],
      forks.map((f) => [f.version, f.digest]),
    )}`;
  }
  return out;
}

/** `policy check`: one line per problem. */
export function formatProblems(errors: readonly Rec[]): string {
  return errors
    .map((e) => {
      const at = typeof e.line === 'number' ? ` (${e.line}:${e.column})` : '';
      return `${e.rule === undefined || e.rule === null ? '' : `${String(e.rule)}${at}: `}${String(e.message)}\n`;
    })
    .join('');
}
