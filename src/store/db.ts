/**
 * The connection pool and transactions. Repositories take a `Db` so that the same function runs on the
 * pool (one statement, autocommit) or on a client inside `withTransaction`.
 *
 * pg returns bigint (int8) and numeric columns as strings: we keep pg's global type parsers untouched
 * (other code in the process may rely on them) and convert explicitly in each repository.
 */
import pg from 'pg';
import type { Logger } from 'pino';

/** A pool or a client checked out of it. A client passed to a repository means "the caller's transaction". */
export type Db = pg.Pool | pg.PoolClient;

/** The logger methods the store uses (a pino logger fits). */
export type StoreLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** Options of `createPool`. */
export interface PoolOptions {
  /** Most connections at once (default 10). */
  readonly max?: number;
  /** Shown in pg_stat_activity (default "cutover"). */
  readonly applicationName?: string;
  /** Milliseconds to wait for a new connection (default 10 s). */
  readonly connectionTimeoutMillis?: number;
  readonly logger?: StoreLogger;
}

/** A pg pool for `url` that logs (instead of crashing on) errors of idle connections. */
export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'cutover',
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server went away emits 'error' on the pool; without a listener Node exits.
  pool.on('error', (err) => {
    options.logger?.warn({ err }, 'idle database connection failed');
  });
  return pool;
}

/** Runs `fn` inside BEGIN … COMMIT on one client; rolls back and rethrows when `fn` throws. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      // The connection is unusable: destroy it instead of returning it to the pool.
      broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * Runs `fn` atomically: in a new transaction when `db` is the pool, on the caller's client (and so in
 * the caller's transaction) when `db` is a client.
 */
export async function atomically<T>(db: Db, fn: (client: Db) => Promise<T>): Promise<T> {
  if (db instanceof pg.Pool) return withTransaction(db, fn);
  return fn(db);
}

/** bigint / numeric column (a string from pg) to bigint; null stays null. */
export function toBigInt(value: string | number | bigint | null): bigint | null {
  if (value === null) return null;
  return BigInt(value);
}

/** bigint column known to fit in a JS number (UIDs, sizes, counts) to number; null stays null. */
export function toNumber(value: string | number | null): number | null {
  if (value === null) return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`database value ${value} does not fit a safe integer`);
  return n;
}

/** Like `toNumber` for NOT NULL columns. */
export function toNumberStrict(value: string | number): number {
  return toNumber(value) as number;
}

/** Like `toBigInt` for NOT NULL columns. */
export function toBigIntStrict(value: string | number | bigint): bigint {
  return BigInt(value);
}
