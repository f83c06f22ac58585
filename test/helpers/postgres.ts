/**
 * Fresh PostgreSQL databases for integration tests. `scripts/test.sh` starts one server for the whole
 * run and exports TEST_DATABASE_URL; when a test file is run by hand without it, this module starts
 * its own Debian PostgreSQL 15 once per process and stops it at exit.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.ts';

const execFileAsync = promisify(execFile);

export interface TestDatabase {
  /** Superuser connection URL for the new database. */
  url: string;
  drop(): Promise<void>;
}

const repoRoot = resolve(import.meta.dirname, '../..');
const pgBin = process.env['CUTOVER_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';
const isRoot = process.getuid?.() === 0;

function testStateRoot(): string {
  return process.env['CUTOVER_TEST_STATE'] ?? join(repoRoot, '.test-state');
}

let ownServer: Promise<string> | undefined;

/** PostgreSQL refuses to run as root: run its binaries as `postgres` then. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

async function startOwnServer(): Promise<string> {
  const stateDir = join(testStateRoot(), `pg-${process.pid}`);
  const dataDir = join(stateDir, 'data');
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  // The postgres user has to reach its data dir through every parent.
  chmodSync(testStateRoot(), 0o755);
  chmodSync(stateDir, 0o755);
  const password = randomBytes(12).toString('hex');
  const pwFile = join(stateDir, 'pwfile');
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (isRoot) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    const uid = Number.parseInt(ids.stdout, 10);
    const gid = Number.parseInt(gids.stdout, 10);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('testDatabase: no `postgres` system user (is postgresql-15 installed? run scripts/install-test-deps.sh)');
    for (const path of [stateDir, pwFile]) chownSync(path, uid, gid);
  }

  const port = await freePort();
  const run = async (command: string, args: string[]): Promise<void> => {
    const [cmd, argv] = asPostgres(join(pgBin, command), args);
    try {
      // cwd: runuser keeps the caller's cwd, which the postgres user may not be allowed to enter.
      await execFileAsync(cmd, argv, { cwd: stateDir });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`testDatabase: ${command} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
    }
  };
  await run('initdb', ['-D', dataDir, '-U', 'postgres', '--pwfile', pwFile, '-A', 'scram-sha-256', '--auth-local=trust', '-N', '-E', 'UTF8', '--locale=C']);
  // Durability is pointless for throw-away test data; these make DDL-heavy tests much faster.
  const serverOptions = [
    // TCP only: a unix socket path under a deep checkout can pass sun_path's 108 bytes (unix(7)).
    `-c listen_addresses=127.0.0.1`, `-p ${port}`, '-c unix_socket_directories=',
    '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=200',
  ].join(' ');
  await run('pg_ctl', ['-D', dataDir, '-l', join(stateDir, 'postgres.log'), '-o', serverOptions, '-w', '-t', '60', 'start']);

  process.on('exit', () => {
    // Synchronous on purpose: 'exit' handlers cannot wait for promises.
    const [cmd, argv] = asPostgres(join(pgBin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    spawnSync(cmd, argv, { cwd: stateDir, stdio: 'ignore' });
    rmSync(stateDir, { recursive: true, force: true });
  });
  return `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
}

function serverUrl(): Promise<string> {
  const fromEnv = process.env['TEST_DATABASE_URL'];
  if (fromEnv) return Promise.resolve(fromEnv);
  ownServer ??= startOwnServer();
  return ownServer;
}

/** Creates an empty database with a unique name derived from `name` (lowercase, ≤ 63 bytes). */
export async function testDatabase(name: string): Promise<TestDatabase> {
  const base = await serverUrl();
  const prefix = name.toLowerCase().replace(/[^a-z0-9_]/g, '_').replace(/^[^a-z_]/, '_').slice(0, 50);
  const dbName = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${dbName}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        // No FORCE: terminating a connection a test still holds (a worker's pool ending late, a client
        // a crash test left behind on purpose) makes pg emit an error in that test's process, which
        // fails the file after its tests passed. A database still in use is simply left to the end of
        // the run, when test.sh removes the whole server.
        await client.query(`DROP DATABASE IF EXISTS "${dbName}"`);
      } catch (err) {
        if ((err as { code?: string }).code !== '55006') throw err; // 55006: object_in_use
      } finally {
        await client.end();
      }
    },
  };
}
