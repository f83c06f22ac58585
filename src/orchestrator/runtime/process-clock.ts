/**
 * The clock of a `serve` or `worker` process: real time, or in fake-clock mode the database's shared
 * fake clock. A real-time process refuses a database whose fake clock is set (a production worker
 * must never act on a demonstration's time).
 */
import { systemClock, type Clock } from '../../core/clock.ts';
import type { Config } from '../../core/config.ts';
import type { Db } from '../../store/db.ts';
import { assertRealClockDatabase, startDatabaseClock, type DatabaseClock } from './database-clock.ts';

/** The process clock, and the fake one when it is in use (for the admin API). */
export async function processClock(config: Readonly<Config>, db: Db): Promise<{ clock: Clock; fake: DatabaseClock | null }> {
  if (!config.fakeClock) {
    await assertRealClockDatabase(db);
    return { clock: systemClock, fake: null };
  }
  const fake = await startDatabaseClock(db, config.fakeClockStart ? { start: new Date(config.fakeClockStart) } : {});
  return { clock: fake, fake };
}
