/**
 * Schema migrations: plain SQL files `migrations/NNNN_name.sql`, applied in number order, each in its own
 * transaction, recorded in `schema_migrations`. A session advisory lock serialises processes that start
 * at once (serve + workers): the first applies, the others wait and then find nothing left to do.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { AppError } from '../core/app-error.ts';
import { PROJECT_ROOT } from '../core/project-root.ts';
import { MIGRATION_LOCK } from './advisory-locks.ts';
import type { StoreLogger } from './db.ts';

/** One migration file. */
export interface MigrationFile {
  readonly version: number;
  readonly name: string;
  readonly file: string;
}

const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'src', 'store', 'migrations');
const FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/;

/** The migration files of `dir` in version order; fails on two files with one number. */
export async function listMigrations(dir: string = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => FILE_PATTERN.test(n)).sort();
  const seen = new Set<number>();
  return names.map((name) => {
    const version = Number(FILE_PATTERN.exec(name)?.[1]);
    if (seen.has(version)) {
      throw new AppError('DB_MIGRATION_FAILED', `two migrations share number ${version} (${name})`, { details: { file: name } });
    }
    seen.add(version);
    return { version, name, file: path.join(dir, name) };
  });
}

/** Applies the migrations not yet recorded; returns the names it applied (empty when up to date). */
export async function migrate(pool: pg.Pool, options: { dir?: string; logger?: StoreLogger } = {}): Promise<string[]> {
  const migrations = await listMigrations(options.dir);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK]);
    try {
      return await applyPending(client, migrations, options.logger);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK]).catch((err: unknown) => {
        // Dropping the connection frees the session lock too.
        broken = err instanceof Error ? err : new Error(String(err));
      });
    }
  } finally {
    client.release(broken);
  }
}

async function applyPending(client: pg.PoolClient, migrations: MigrationFile[], logger?: StoreLogger): Promise<string[]> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((r) => r.version));
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...applied].filter((v) => !known.has(v));
  if (unknown.length > 0) {
    logger?.warn({ versions: unknown }, 'the database has migrations this version of cutover does not know (newer schema)');
  }
  const done: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    const started = performance.now();
    try {
      const sql = await readFile(migration.file, 'utf8');
      await client.query('BEGIN');
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      const reason = err instanceof Error ? err.message : String(err);
      throw new AppError('DB_MIGRATION_FAILED', `migration ${migration.name} failed: ${reason}`, {
        cause: err,
        details: { file: migration.name },
      });
    }
    logger?.info({ migration: migration.name, ms: Math.round(performance.now() - started) }, 'applied migration');
    done.push(migration.name);
  }
  return done;
}
