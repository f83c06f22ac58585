/**
 * The schedule rules around the cutover time T (DESIGN.md "waiting_for_cutover" … "sweeping"), pure:
 * every function takes the times it needs and returns times; the reconciler passes `now` from the
 * Clock. docs/status-flow.md lists the rules; docs/fake-clock.md shows them driven by a fake clock.
 *
 * Daylight saving (decided here, documented in docs/status-flow.md): offsets in DAYS (T−10d, T−20d,
 * T+5d, the 7/20/40-day lead times) are CALENDAR days in the project's time zone — T−10d is the same
 * wall-clock time ten dates earlier, so a resync planned "10 days before a 09:00 cutover" runs at 09:00
 * local even when a DST change lies in between (the real gap is then 239 h or 241 h). Offsets in
 * HOURS or MINUTES (T−42h, T−4h, T+15min, the 10-minute MX window) are elapsed time. A wall-clock time
 * that does not exist (spring forward) moves forward by the gap; an ambiguous one (fall back) keeps
 * T's UTC offset when that is one of the two (luxon's rules; schedule.test.ts pins both).
 */
import { DateTime } from 'luxon';
import type { OrchestratorSettings } from './orchestrator-settings.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Labels of the resync points. */
export type ResyncLabel = 'T-20d' | 'T-10d' | 'T-42h';

/** One planned resync round. */
export interface PlannedResync {
  readonly label: ResyncLabel;
  readonly at: Date;
  /** Idempotency key of the round; contains T, so moving T gives new keys (a re-plan). */
  readonly key: string;
}

/** Every time the orchestrator acts on, derived from placement, T, the zone and the settings. */
export interface Schedule {
  readonly cutoverAt: Date;
  readonly timeZone: string;
  /** Resync rounds, earliest first (they stack by lead time). */
  readonly resyncs: readonly PlannedResync[];
  /** An unverified domain puts the project on hold from here (T−48h). */
  readonly domainHoldAt: Date;
  /** The MX TTL is read and lowering it advised (T − ttlAdviceLeadDays, calendar days). */
  readonly ttlAdviceAt: Date;
  /** End users are told the switch is coming (T − userNoticeLeadHours). */
  readonly userNoticeAt: Date;
  /** Readiness check (T−4h). */
  readonly readinessAt: Date;
  /** Settings are frozen from here (T−4h). */
  readonly freezeAt: Date;
  /** Final passes start at T (as soon as the project reaches `migrating`). */
  readonly finalAt: Date;
  /** End of the 10-minute MX window (T+10min). */
  readonly mxWindowEndsAt: Date;
  /** Alert when the MX has not moved by now (T+15min). */
  readonly mxAlertAt: Date;
  /** Completion is considered from here (T + completionAfterDays, calendar days). */
  readonly completionEarliestAt: Date;
}

/** The instant `days` calendar days before (negative: after) `at`, at the same wall-clock time in `zone`. */
export function minusCalendarDays(at: Date, days: number, zone: string): Date {
  return DateTime.fromJSDate(at, { zone }).minus({ days }).toJSDate();
}

/** `at` shifted by `hours` of elapsed time (negative: earlier). */
export function plusHours(at: Date, hours: number): Date {
  return new Date(at.getTime() + hours * HOUR);
}

/** True when the lead time from placement to T is at least `days` calendar days in `zone`. */
export function hasLeadTime(placedAt: Date, cutoverAt: Date, days: number, zone: string): boolean {
  return placedAt.getTime() <= minusCalendarDays(cutoverAt, days, zone).getTime();
}

/** The idempotency key of a planned point: the label and the T it belongs to. */
export function planKey(label: string, cutoverAt: Date): string {
  return `${label}@${cutoverAt.toISOString()}`;
}

/**
 * The resync rounds by lead time (measured from placement): ≥7 days → T−42h; ≥20 days → also T−10d;
 * ≥40 days → also T−20d. They stack; earliest first.
 */
export function planResyncs(placedAt: Date, cutoverAt: Date, zone: string): PlannedResync[] {
  const out: PlannedResync[] = [];
  const add = (label: ResyncLabel, at: Date): void => {
    out.push({ label, at, key: planKey(`resync:${label}`, cutoverAt) });
  };
  if (hasLeadTime(placedAt, cutoverAt, 40, zone)) add('T-20d', minusCalendarDays(cutoverAt, 20, zone));
  if (hasLeadTime(placedAt, cutoverAt, 20, zone)) add('T-10d', minusCalendarDays(cutoverAt, 10, zone));
  if (hasLeadTime(placedAt, cutoverAt, 7, zone)) add('T-42h', plusHours(cutoverAt, -42));
  return out;
}

/** The whole schedule of a placed project. Moving T (or the zone) gives a new schedule: a re-plan. */
export function planSchedule(input: {
  readonly placedAt: Date;
  readonly cutoverAt: Date;
  readonly timeZone: string;
  readonly settings: Pick<OrchestratorSettings, 'ttlAdviceLeadDays' | 'userNoticeLeadHours' | 'completionAfterDays'>;
}): Schedule {
  const { placedAt, cutoverAt, timeZone, settings } = input;
  return {
    cutoverAt,
    timeZone,
    resyncs: planResyncs(placedAt, cutoverAt, timeZone),
    domainHoldAt: plusHours(cutoverAt, -48),
    ttlAdviceAt: minusCalendarDays(cutoverAt, settings.ttlAdviceLeadDays, timeZone),
    userNoticeAt: plusHours(cutoverAt, -settings.userNoticeLeadHours),
    readinessAt: plusHours(cutoverAt, -4),
    freezeAt: plusHours(cutoverAt, -4),
    finalAt: cutoverAt,
    mxWindowEndsAt: new Date(cutoverAt.getTime() + 10 * MINUTE),
    mxAlertAt: new Date(cutoverAt.getTime() + 15 * MINUTE),
    completionEarliestAt: minusCalendarDays(cutoverAt, -settings.completionAfterDays, timeZone),
  };
}

/**
 * The resync round to run now, if any. A round is due once its time has come (and T has not); a
 * point counts as covered when any resync round started at or after its time. When several points
 * are due and uncovered (T was moved earlier, or the project reached waiting_for_cutover late), only
 * the latest runs — one catch-up round, not a burst.
 */
export function dueResync(resyncs: readonly PlannedResync[], startedRounds: readonly Date[], cutoverAt: Date, now: Date): PlannedResync | null {
  if (now.getTime() >= cutoverAt.getTime()) return null;
  let due: PlannedResync | null = null;
  for (const point of resyncs) {
    if (point.at.getTime() > now.getTime()) continue;
    const covered = startedRounds.some((s) => s.getTime() >= point.at.getTime());
    if (!covered && (due === null || point.at.getTime() > due.at.getTime())) due = point;
  }
  return due;
}

/** True from T−4h on: settings are frozen (the API refuses changes with PROJECT_SETTINGS_FROZEN). */
export function isFrozenByTime(cutoverAt: Date | null, now: Date): boolean {
  return cutoverAt !== null && now.getTime() >= plusHours(cutoverAt, -4).getTime();
}
