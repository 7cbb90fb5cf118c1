import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  allErrorCodes,
  CliErrorCodes,
  errorStatus,
  exitCodeForCode,
  httpStatusFor,
  NodeErrorCodes,
} from '../../node/errors.ts';
import { ErrorCodes } from '../../protocol/errors.ts';
import { repoPath } from '../helpers/paths.ts';

/** Rows of the table in docs/errors.md: | `CODE` | source | meaning | http | exit | */
function docRows(): Map<string, { source: string; http: string; exit: string }[]> {
  const text = readFileSync(repoPath('docs', 'errors.md'), 'utf8');
  const rows = new Map<string, { source: string; http: string; exit: string }[]>();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // ['', '`CODE`', source, meaning, http, exit, ''] — cells may be padded to align the table
    const code = /^`(ERR_[A-Z0-9_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (code === undefined || cells.length !== 7) continue;
    const list = rows.get(code) ?? [];
    list.push({ source: cells[2]!, http: cells[4]!, exit: cells[5]! });
    rows.set(code, list);
  }
  return rows;
}

describe('docs/errors.md', () => {
  const rows = docRows();

  describe('when compared with the code lists', () => {
    it('has exactly one row for every code', () => {
      const missing = allErrorCodes().filter((c) => rows.get(c)?.length !== 1);
      expect(missing, 'codes without exactly one row in docs/errors.md').toEqual([]);
    });

    it('lists no code that does not exist', () => {
      const known = new Set(allErrorCodes());
      expect([...rows.keys()].filter((c) => !known.has(c))).toEqual([]);
    });

    it('names the right source for each code', () => {
      for (const c of ErrorCodes) expect(rows.get(c)?.[0]?.source, c).toBe('protocol');
      for (const c of NodeErrorCodes) expect(rows.get(c)?.[0]?.source, c).toBe('node');
      for (const c of CliErrorCodes) expect(rows.get(c)?.[0]?.source, c).toBe('cli');
    });
  });

  describe('when compared with node/errors.ts', () => {
    it('states the same HTTP status and exit code for every code', () => {
      for (const c of allErrorCodes()) {
        const row = rows.get(c)?.[0];
        const want = errorStatus(c);
        expect(want, c).toBeDefined();
        expect(row?.http, c).toBe(want?.http === null ? '—' : String(want?.http));
        expect(row?.exit, c).toBe(String(want?.exit));
      }
    });
  });
});

describe('httpStatusFor', () => {
  describe('when the code is known', () => {
    it('gives its status', () => {
      expect(httpStatusFor('ERR_INDEX_OUT_OF_RANGE')).toBe(400);
      expect(httpStatusFor('ERR_RECORD_TOO_LARGE')).toBe(413);
      expect(httpStatusFor('ERR_BACKPRESSURE')).toBe(503);
      expect(httpStatusFor('ERR_LOG_CORRUPT')).toBe(500);
    });
  });

  describe('when the code is unknown or never sent by the API', () => {
    it('gives 500', () => {
      expect(httpStatusFor('ERR_NOPE')).toBe(500);
      expect(httpStatusFor('ERR_HOME_EXISTS')).toBe(500);
      expect(httpStatusFor('constructor')).toBe(500);
    });
  });
});

describe('exitCodeForCode', () => {
  describe('when asked for each kind of code', () => {
    it('follows the CLI convention', () => {
      expect(exitCodeForCode('ERR_ROOT_MISMATCH')).toBe(1);
      expect(exitCodeForCode('ERR_USAGE')).toBe(2);
      expect(exitCodeForCode('ERR_UNREACHABLE')).toBe(3);
      expect(exitCodeForCode('ERR_UNAUTHORIZED')).toBe(4);
      expect(exitCodeForCode('ERR_NOPE')).toBe(4);
    });
  });
});
