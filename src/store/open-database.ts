/**
 * The one way the application gets its database: DATABASE_URL when given, else the embedded PostgreSQL
 * of the data folder; the schema is migrated before the pool is handed out.
 */
import type pg from 'pg';
import { AppError } from '../core/app-error.ts';
import { createPool, type StoreLogger } from './db.ts';
import { startEmbeddedDb, type EmbeddedDb } from './embedded-db.ts';
import { migrate } from './migrate.ts';

/** An open, migrated database. */
export interface OpenDatabase {
  readonly pool: pg.Pool;
  /** True when we run the embedded server (it stops on close). */
  readonly embedded: boolean;
  /** Ends the pool, then stops the embedded server; safe to call twice. */
  close(): Promise<void>;
}

/** Options of `openDatabase`. */
export interface OpenDatabaseOptions {
  /** postgres:// URL of an external server; empty or absent: the embedded one. */
  readonly databaseUrl?: string;
  /** The data folder (embedded server, lock file). */
  readonly dataDir: string;
  readonly logger?: StoreLogger;
  /** Pool size (default 10). */
  readonly maxConnections?: number;
}

/** Where a URL points, without its password (for messages and logs). */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/** Opens the database and migrates it; wraps connection failures as DB_UNAVAILABLE. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenDatabase> {
  const { logger } = options;
  let embedded: EmbeddedDb | undefined;
  let url = options.databaseUrl;
  if (url === undefined || url === '') {
    embedded = await startEmbeddedDb({ dataDir: options.dataDir, logger });
    url = embedded.url;
  }
  const pool = createPool(url, { logger, max: options.maxConnections });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      try {
        await pool.end();
      } finally {
        await embedded?.stop();
      }
    })();
    return closing;
  };
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await close();
    const where = embedded ? `the embedded database in ${options.dataDir}` : describeDatabaseUrl(url);
    throw new AppError('DB_UNAVAILABLE', `cannot connect to ${where}: ${(err as Error).message}`, {
      cause: err,
      details: { database: where },
    });
  }
  try {
    await migrate(pool, { logger });
  } catch (err) {
    await close();
    throw err;
  }
  return { pool, embedded: embedded !== undefined, close };
}
