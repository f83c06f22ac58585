/**
 * The advisory lock keys Cutover uses. PostgreSQL's two-int form `pg_advisory_lock(int4, int4)` lives in a
 * key space of its own (pg_locks.objsubid = 2), apart from the one-bigint form that libraries such as
 * pg-boss use with hashed keys, so the first number names the purpose and cannot collide with theirs.
 */

/** Key pair of the migration lock: held while one process upgrades the schema. */
export const MIGRATION_LOCK: readonly [number, number] = [0x43757400, 1];

/** First key of the per-pair lock (the second is the pair id). */
export const PAIR_LOCK_CLASS = 0x43757401;

/** The advisory key pair of one mailbox pair: pair ids are bigserial but stay far below 2^31 in practice. */
export function pairLockKey(pairId: string): [number, number] {
  const id = BigInt(pairId);
  if (id < 0n || id > 0x7fffffffn) throw new RangeError(`pair id ${pairId} does not fit an advisory lock key`);
  return [PAIR_LOCK_CLASS, Number(id)];
}
