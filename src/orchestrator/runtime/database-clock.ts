/**
 * The fake clock of fake-clock mode (docs/fake-clock.md). Its time lives in the database (one row), so
 * the API, the reconciler and every worker process see one time, and a restart keeps it. `Clock.now()`
 * is synchronous: the value is cached and refreshed every `refreshMs`; a move made by this process is
 * seen at once, a move made by another process within `refreshMs`.
 */
import { AppError } from '../../core/app-error.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../store/db.ts';
import { initFakeClock, moveFakeClock, readFakeClock } from '../../store/fake-clock.repository.ts';

/** A clock that only moves when told, shared through the database. */
export interface DatabaseClock extends Clock {
  /** Moves forward by `ms` (≥ 0); returns the new time. */
  advanceBy(ms: number): Promise<Date>;
  /** Moves to `to`; refused with FAKE_CLOCK_BACKWARDS when earlier than now. */
  setTo(to: Date): Promise<Date>;
  /** Re-reads the stored time. */
  refresh(): Promise<Date>;
  stop(): void;
}

/** Creates the row when missing (at `start`), then keeps the cached time fresh. */
export async function startDatabaseClock(db: Db, options: { start?: Date; refreshMs?: number } = {}): Promise<DatabaseClock> {
  let current = await initFakeClock(db, options.start ?? new Date());
  const adopt = (t: Date): Date => {
    // Never backwards, not even in the cache (a slow refresh must not undo a newer local move).
    if (t.getTime() > current.getTime()) current = t;
    return current;
  };
  const refresh = async (): Promise<Date> => adopt((await readFakeClock(db)) ?? current);
  const timer = setInterval(() => void refresh().catch(() => undefined), options.refreshMs ?? 250);
  timer.unref();
  return {
    now: () => new Date(current.getTime()),
    refresh,
    async advanceBy(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new AppError('FAKE_CLOCK_BACKWARDS', 'the fake clock only moves forward', { details: { advanceByMs: ms } });
      await refresh();
      return adopt(await moveFakeClock(db, new Date(current.getTime() + ms)));
    },
    async setTo(to) {
      await refresh();
      if (to.getTime() < current.getTime()) {
        throw new AppError('FAKE_CLOCK_BACKWARDS', `the fake clock is at ${current.toISOString()} and never moves backwards`, { details: { now: current.toISOString(), to: to.toISOString() } });
      }
      return adopt(await moveFakeClock(db, to));
    },
    stop: () => clearInterval(timer),
  };
}

/** For processes started without --fake-clock: refuses a database that runs on a fake clock. */
export async function assertRealClockDatabase(db: Db): Promise<void> {
  const fake = await readFakeClock(db);
  if (fake !== null) {
    throw new AppError('FAKE_CLOCK_MISMATCH', `this database runs on a fake clock (at ${fake.toISOString()}); start this process with --fake-clock too`, { details: { fakeNow: fake.toISOString() } });
  }
}
