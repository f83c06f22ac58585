/**
 * At most one active pass per pair, across processes and machines: a session-level advisory lock held on
 * a dedicated connection until release. If the process dies, the connection drops and PostgreSQL frees
 * the lock; if the connection drops while we live, `signal` aborts, because another worker may now take
 * the pair and the pass must stop.
 */
import type pg from 'pg';
import { pairLockKey } from './advisory-locks.ts';

/** A held pair lock. */
export interface PairLock {
  readonly pairId: string;
  /** Aborts when the lock is lost (its connection failed). */
  readonly signal: AbortSignal;
  /** Unlocks and returns the connection; safe to call twice. */
  release(): Promise<void>;
}

/** Takes the lock of `pairId` if free; null when another session holds it. */
export async function acquirePairLock(pool: pg.Pool, pairId: string): Promise<PairLock | null> {
  const key = pairLockKey(pairId);
  const client = await pool.connect();
  const lost = new AbortController();
  // A checked-out client that errors (server gone, terminated backend) emits 'error' on itself; without a
  // listener Node would crash.
  const onError = (err: Error): void => lost.abort(err);
  client.on('error', onError);
  let locked = false;
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', key);
    locked = rows[0]?.locked === true;
  } finally {
    if (!locked) {
      client.removeListener('error', onError);
      client.release();
    }
  }
  if (!locked) return null;
  let releasing: Promise<void> | undefined;
  return {
    pairId,
    signal: lost.signal,
    release() {
      releasing ??= (async () => {
        let broken: Error | undefined;
        if (lost.signal.aborted) {
          broken = new Error('pair lock connection lost');
        } else {
          try {
            await client.query('SELECT pg_advisory_unlock($1, $2)', key);
          } catch (err) {
            broken = err instanceof Error ? err : new Error(String(err)); // destroying the connection frees the lock
          }
        }
        client.removeListener('error', onError);
        client.release(broken);
      })();
      return releasing;
    },
  };
}
