import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AppError } from '../../src/core/app-error.ts';
import { isProcessAlive } from '../../src/store/data-dir-lock.ts';
import { startEmbeddedDb } from '../../src/store/embedded-db.ts';
import { openDatabase } from '../../src/store/open-database.ts';

const HOLDER = path.join(import.meta.dirname, 'embedded-db-holder.ts');

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Starts the holder (the same Node 22 as this test) and waits for its ready line. */
function startHolder(dataDir: string, mode = 'hold'): Promise<ChildProcess> {
  const child = spawn(process.execPath, [HOLDER, dataDir, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"ready":true')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`holder exited early with ${code}: ${out}`)));
  });
}

async function postmasterPid(dataDir: string): Promise<number | null> {
  const text = await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').catch(() => null);
  return text === null ? null : Number.parseInt(text, 10);
}

async function tempDataDir(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'cutover-embedded-')), 'data');
}

void test('embedded database: first start initialises, second start is fast, stop is clean', async (t0) => {
  const dataDir = await tempDataDir();
  let t = performance.now();
  const first = await startEmbeddedDb({ dataDir });
  const firstStart = performance.now() - t;
  const [row] = await query<{ v: string }>(first.url, 'SELECT current_database() AS v');
  assert.equal(row?.v, 'cutover');
  assert.equal(((await stat(path.join(dataDir, 'pg-secret'))).mode & 0o777).toString(8), '600');
  await assert.rejects(startEmbeddedDb({ dataDir }), (err: unknown) => err instanceof AppError && err.code === 'DATA_DIR_LOCKED');
  t = performance.now();
  await first.stop();
  const firstStop = performance.now() - t;
  await first.stop();
  assert.equal(await postmasterPid(dataDir), null);

  t = performance.now();
  const second = await startEmbeddedDb({ dataDir });
  const secondStart = performance.now() - t;
  await query(second.url, 'SELECT 1');
  t = performance.now();
  await second.stop();
  const secondStop = performance.now() - t;

  // openDatabase = start + connect + migrate on an existing data folder.
  t = performance.now();
  const opened = await openDatabase({ dataDir });
  const openExisting = performance.now() - t;
  const tables = await opened.pool.query('SELECT 1 FROM ledger_items LIMIT 1');
  assert.equal(tables.rowCount, 0);
  await opened.close();
  t = performance.now();
  const reopened = await openDatabase({ dataDir });
  const reopen = performance.now() - t;
  await reopened.close();

  const ms = (n: number): number => Math.round(n);
  t0.diagnostic(`timings ms: firstStart=${ms(firstStart)} firstStop=${ms(firstStop)} secondStart=${ms(secondStart)} secondStop=${ms(secondStop)} openDatabase(first migrate)=${ms(openExisting)} openDatabase(again)=${ms(reopen)}`);
  assert.ok(secondStart < 500, `second start took ${secondStart} ms`);
  assert.ok(reopen < 500, `openDatabase of an existing folder took ${reopen} ms`);
  await rm(path.dirname(dataDir), { recursive: true, force: true });
});

void test('embedded database: a live holder locks the folder; after kill -9 the next start stops its orphan and recovers', async (t0) => {
  const dataDir = await tempDataDir();
  const holder = await startHolder(dataDir);
  try {
    await assert.rejects(openDatabase({ dataDir }), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'DATA_DIR_LOCKED');
      assert.equal(err.details['pid'], holder.pid);
      assert.match(err.message, new RegExp(String(holder.pid)));
      return true;
    });
    const orphan = await postmasterPid(dataDir);
    assert.ok(orphan !== null && isProcessAlive(orphan));
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    assert.ok(isProcessAlive(orphan), 'SIGKILL leaves the holder’s postgres running');

    const t = performance.now();
    const db = await openDatabase({ dataDir });
    const recovery = performance.now() - t;
    try {
      assert.equal(isProcessAlive(orphan), false, 'the orphan was stopped');
      const { rows } = await db.pool.query<{ pid: number }>('SELECT pid FROM holder_rows');
      assert.deepEqual(rows.map((r) => r.pid), [holder.pid], 'data written before the kill is kept');
      t0.diagnostic(`timings ms: start after kill -9 (orphan stopped) = ${Math.round(recovery)}`);
    } finally {
      await db.close();
    }
  } finally {
    holder.kill('SIGKILL');
    await rm(path.dirname(dataDir), { recursive: true, force: true });
  }
});

void test('embedded database: SIGINT stops the database and exits 130; SIGTERM exits 143', async () => {
  const dataDir = await tempDataDir();
  try {
    for (const [signal, expected] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const holder = await startHolder(dataDir, 'signals');
      const server = await postmasterPid(dataDir);
      const exited = new Promise<number | null>((resolve) => holder.once('exit', (code) => resolve(code)));
      holder.kill(signal);
      assert.equal(await exited, expected);
      assert.equal(await postmasterPid(dataDir), null, 'postgres shut down cleanly');
      assert.ok(server !== null && !isProcessAlive(server));
      await assert.rejects(stat(path.join(dataDir, 'cutover.lock')), 'lock released');
    }
  } finally {
    await rm(path.dirname(dataDir), { recursive: true, force: true });
  }
});
