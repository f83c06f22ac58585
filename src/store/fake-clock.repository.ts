/** The fake clock's row (migration 0005): present only in fake-clock mode (docs/fake-clock.md). */
import type { Db } from './db.ts';

/** The stored fake time, or null when the database runs on real time. */
export async function readFakeClock(db: Db): Promise<Date | null> {
  const { rows } = await db.query<{ now: Date }>('SELECT now FROM fake_clock WHERE id');
  return rows[0]?.now ?? null;
}

/** Creates the row at `start` unless one exists (a restart keeps the time); returns the stored time. */
export async function initFakeClock(db: Db, start: Date): Promise<Date> {
  const { rows } = await db.query<{ now: Date }>(
    `INSERT INTO fake_clock (id, now) VALUES (true, $1) ON CONFLICT (id) DO UPDATE SET now = fake_clock.now RETURNING now`,
    [start],
  );
  return (rows[0] as { now: Date }).now;
}

/** Moves the fake time to `to` — never backwards (GREATEST), so two racing moves keep the later one. */
export async function moveFakeClock(db: Db, to: Date): Promise<Date> {
  const { rows } = await db.query<{ now: Date }>('UPDATE fake_clock SET now = GREATEST(now, $1), moved_at = now() WHERE id RETURNING now', [to]);
  const row = rows[0];
  if (!row) throw new Error('the fake clock is not initialised');
  return row.now;
}
