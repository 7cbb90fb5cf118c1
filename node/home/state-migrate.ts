/**
 * `govfed store migrate` for the node's module state: what a LevelDB home keeps under DIR besides its
 * log — the named states of state-backend.ts (DIR/<module>/state.json, federation/departed.json,
 * tokens.json, keys/monitor.key) and the witness's LevelDB (DIR/witness/db, with DIR/witness/logs.json)
 * — goes into the target database's `node_state` and `witness_kv` rows (pg-state.ts,
 * node/witness/pg-store.ts), where every process of the org reads it.
 *
 * Checklist: readHomeStates runs BEFORE anything is written anywhere — every state is read, within
 * MAX_STATE_BYTES (ERR_STATE_TOO_LARGE), JSON where it must be (ERR_INVALID_CONFIG), the token list
 * parsed, the witness store opened (ERR_WITNESS_STORE_CORRUPT when it does not open) — then, after the
 * log was copied and checked, writeHomeStates writes them all in ONE transaction behind the target's
 * writer lease, taken for it and released after (offline-lease.ts; ERR_NOT_LEADER while a process holds it; the
 * target's state tables must be empty: ERR_STORE_NOT_EMPTY). Either all of it is there or none.
 * The files stay where they are (an archive, like DIR/data): nothing reads them once config.json names
 * the database.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { NodeError } from '../errors.ts';
import { quoteIdent } from '../log/postgres/migrations.ts';
import type { PostgresStoreSpec } from '../log/store.ts';
import { exists } from './fs.ts';
import type { LoadedHome } from './load.ts';
import { withOfflineLease } from './offline-lease.ts';
import { MAX_STATE_BYTES } from './pg-state.ts';
import { fileStateStorage, STATE_NAMES, type StateName } from './state-backend.ts';
import { parseTokensFile } from './tokens.ts';

export interface HomeStates {
  states: Map<StateName, Uint8Array>;
  /** The witness store's rows (pg-store.ts keys), or undefined when the home has no witness store. */
  witness: Map<string, string> | undefined;
}

/** Reads and checks every state of the home (see the top); writes nothing. */
export async function readHomeStates(home: Pick<LoadedHome, 'dir' | 'paths'>): Promise<HomeStates> {
  const storage = fileStateStorage(home.dir);
  const states = new Map<StateName, Uint8Array>();
  for (const name of STATE_NAMES) {
    const b = storage.backend(name);
    const body = await b.read();
    if (body === undefined) continue;
    if (body.byteLength > MAX_STATE_BYTES) {
      throw new NodeError(
        'ERR_STATE_TOO_LARGE',
        `${b.where} is larger than ${MAX_STATE_BYTES} bytes: nothing was moved`,
      );
    }
    const text = Buffer.from(body).toString('utf8');
    if (name === 'keys/monitor') {
      if (!text.startsWith('-----BEGIN PRIVATE KEY-----')) {
        throw new NodeError('ERR_INVALID_CONFIG', `${b.where} is not a PKCS #8 PEM key: nothing was moved`);
      }
    } else if (name === 'tokens') {
      parseTokensFile(text); // ERR_INVALID_CONFIG
    } else {
      try {
        JSON.parse(text);
      } catch (cause) {
        throw new NodeError('ERR_INVALID_CONFIG', `${b.where}: invalid JSON, nothing was moved`, { cause });
      }
    }
    states.set(name, body);
  }
  return { states, witness: await readWitness(home.paths.witness) };
}

async function readWitness(dir: string): Promise<Map<string, string> | undefined> {
  const path = join(dir, 'db');
  if (!(await exists(join(path, 'CURRENT')))) return undefined;
  const db = new Level<string, string>(path, { valueEncoding: 'utf8', createIfMissing: false });
  try {
    await db.open();
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new NodeError('ERR_ALREADY_RUNNING', `the witness store in ${dir} is in use: stop the node first`);
    }
    throw new NodeError(
      'ERR_WITNESS_STORE_CORRUPT',
      `the witness store ${path} does not open (${cause?.message ?? (err as Error).message}): nothing was moved`,
      { cause: err },
    );
  }
  const rows = new Map<string, string>();
  try {
    for await (const [k, v] of db.iterator()) rows.set(k, v);
  } finally {
    await db.close();
  }
  rows.set('created', JSON.stringify({ time: new Date().toISOString(), movedFrom: path }));
  const logs = join(dir, 'logs.json');
  if (await exists(logs)) {
    const text = await readFile(logs, 'utf8');
    try {
      const v = JSON.parse(text) as { logs?: unknown };
      if (!Array.isArray(v.logs) || !v.logs.every((k) => typeof k === 'string')) throw new Error('shape');
    } catch (cause) {
      throw new NodeError('ERR_INVALID_CONFIG', `${logs}: expected {"logs": [verifier keys]}`, { cause });
    }
    rows.set('logs', JSON.stringify(JSON.parse(text)));
  }
  return rows;
}

/**
 * Writes the states into the target database in one transaction behind its writer lease (taken here,
 * released after). Returns how many states and witness rows were written.
 */
export async function writeHomeStates(
  spec: PostgresStoreSpec,
  s: HomeStates,
): Promise<{ states: number; witnessRows: number }> {
  return withOfflineLease(spec, 'store migrate', async (state) => {
    const schema = state.schema;
    const t = (name: string) => `${quoteIdent(schema)}.${name}`;
    await state.fenced('carry the home state into the database', async (c) => {
      const used = await c.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM ${t('node_state')}) + (SELECT count(*) FROM ${t('witness_kv')}) AS n`,
      );
      if (Number(used.rows[0]?.n) > 0) {
        throw new NodeError(
          'ERR_STORE_NOT_EMPTY',
          `the database schema ${schema} already holds node state: a migration copies into an empty schema only`,
        );
      }
      let version = 0;
      for (const [name, body] of s.states) {
        await c.query(`INSERT INTO ${t('node_state')} (name, body, version) VALUES ($1, $2, $3)`, [
          name,
          Buffer.from(body),
          ++version,
        ]);
      }
      for (const [k, v] of s.witness ?? []) {
        await c.query(`INSERT INTO ${t('witness_kv')} (k, v) VALUES ($1, $2)`, [k, v]);
      }
    });
    return { states: s.states.size, witnessRows: s.witness?.size ?? 0 };
  });
}
