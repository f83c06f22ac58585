/**
 * The fake clock (docs/fake-clock.md): admin only, and only when the server runs with --fake-clock
 * (404 FAKE_CLOCK_OFF otherwise). A move is followed by one reconciler tick at the new time, so the
 * answer comes after the schedule caught up (steps run, rounds queued, due emails sent).
 */
import { z } from 'zod';
import { AppError } from '../../core/app-error.ts';
import type { ApiDeps } from '../api-deps.ts';
import { orchestratorOf } from '../cutover-runtime.ts';
import type { ApiApp } from '../fastify-types.ts';
import { Timestamp } from '../schemas/common.schemas.ts';

const ClockState = z.object({ fake: z.literal(true), now: Timestamp }).meta({ id: 'FakeClock' });
/** `advanceBy`: milliseconds or an ISO 8601 duration of days/hours/minutes/seconds (`P5D`, `PT42H`). */
const ClockMove = z.object({
  advanceBy: z.union([z.number().int().min(0), z.string()]).optional(),
  setTo: z.iso.datetime({ offset: true }).optional(),
}).refine((b) => (b.advanceBy === undefined) !== (b.setTo === undefined), 'give exactly one of advanceBy and setTo');

/** Milliseconds of an ISO 8601 duration such as `P1DT2H30M` (no years or months: they have no fixed length). */
export function durationMs(text: string): number | null {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return null;
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0)) as [number, number, number, number];
  return Math.round(((d * 24 + h) * 60 + min) * 60_000 + s * 1000);
}

/** Registers GET/POST /api/admin/clock. */
export function registerAdminClockRoutes(app: ApiApp, deps: ApiDeps): void {
  const clock = (): NonNullable<ApiDeps['fakeClock']> => {
    if (!deps.fakeClock) throw new AppError('FAKE_CLOCK_OFF', 'the server runs on real time (start it with --fake-clock)');
    return deps.fakeClock;
  };

  app.get('/api/admin/clock', {
    config: { access: 'admin' },
    schema: { tags: ['admin'], summary: 'The fake clock (fake-clock mode only)', response: { 200: ClockState } },
  }, async () => ({ fake: true as const, now: (await clock().refresh()).toISOString() }));

  app.post('/api/admin/clock', {
    config: { access: 'admin' },
    schema: { tags: ['admin'], summary: 'Move the fake clock forward (never backwards), then run one reconciler tick', body: ClockMove, response: { 200: ClockState } },
  }, async (request) => {
    const c = clock();
    const { advanceBy, setTo } = request.body;
    let now: Date;
    if (setTo !== undefined) now = await c.setTo(new Date(setTo));
    else {
      const ms = typeof advanceBy === 'number' ? advanceBy : durationMs(advanceBy ?? '');
      if (ms === null) throw new AppError('USAGE_INVALID', `advanceBy must be milliseconds or an ISO 8601 duration like P5D or PT42H, not ${String(advanceBy)}`);
      now = await c.advanceBy(ms);
    }
    await orchestratorOf(deps).tick();
    return { fake: true as const, now: now.toISOString() };
  });
}
