import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { ManualClock } from '../core/clock.ts';
import { ORCHESTRATOR_DEFAULTS } from './orchestrator-settings.ts';
import { dueResync, hasLeadTime, isFrozenByTime, minusCalendarDays, planResyncs, planSchedule, type PlannedResync } from './schedule.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const d = (iso: string): Date => new Date(iso);
const labels = (r: readonly PlannedResync[]): string[] => r.map((x) => x.label);

// --- lead time boundaries (UTC: no DST, calendar days = 24 h)
const T_UTC = d('2026-06-15T10:00:00Z');
const leadCases: Array<{ name: string; placedAt: Date; expect: string[] }> = [
  { name: '6 days: no resync', placedAt: new Date(T_UTC.getTime() - 6 * DAY), expect: [] },
  { name: '7 days − 1 minute: no resync', placedAt: new Date(T_UTC.getTime() - 7 * DAY + MIN), expect: [] },
  { name: 'exactly 7 days: T−42h', placedAt: new Date(T_UTC.getTime() - 7 * DAY), expect: ['T-42h'] },
  { name: '20 days − 1 minute: T−42h only', placedAt: new Date(T_UTC.getTime() - 20 * DAY + MIN), expect: ['T-42h'] },
  { name: 'exactly 20 days: T−10d and T−42h', placedAt: new Date(T_UTC.getTime() - 20 * DAY), expect: ['T-10d', 'T-42h'] },
  { name: '40 days − 1 minute: T−10d and T−42h', placedAt: new Date(T_UTC.getTime() - 40 * DAY + MIN), expect: ['T-10d', 'T-42h'] },
  { name: 'exactly 40 days: all three stack', placedAt: new Date(T_UTC.getTime() - 40 * DAY), expect: ['T-20d', 'T-10d', 'T-42h'] },
  { name: '60 days: all three', placedAt: new Date(T_UTC.getTime() - 60 * DAY), expect: ['T-20d', 'T-10d', 'T-42h'] },
];
for (const c of leadCases) {
  test(`resyncs by lead time: ${c.name}`, () => {
    assert.deepEqual(labels(planResyncs(c.placedAt, T_UTC, 'UTC')), c.expect);
  });
}

test('resync times: T−20d, T−10d, T−42h; keys carry T', () => {
  const r = planResyncs(d('2026-04-01T00:00:00Z'), T_UTC, 'UTC');
  assert.deepEqual(r.map((x) => x.at.toISOString()), ['2026-05-26T10:00:00.000Z', '2026-06-05T10:00:00.000Z', '2026-06-13T16:00:00.000Z']);
  assert.equal(r[1]?.key, 'resync:T-10d@2026-06-15T10:00:00.000Z');
});

// --- daylight saving: day offsets are calendar days in the project's zone, hour offsets are elapsed
const dstCases: Array<{ name: string; zone: string; T: string; days: number; expect: string; elapsedHours: number }> = [
  // Europe/Berlin: 2026-03-29 02:00 CET → 03:00 CEST
  { name: 'Berlin, spring change inside T−10d', zone: 'Europe/Berlin', T: '2026-04-02T07:00:00Z', days: 10, expect: '2026-03-23T08:00:00.000Z', elapsedHours: 239 },
  { name: 'Berlin, spring: T−10d both before the change', zone: 'Europe/Berlin', T: '2026-03-27T08:00:00Z', days: 10, expect: '2026-03-17T08:00:00.000Z', elapsedHours: 240 },
  { name: 'Berlin, spring: T−10d both after the change', zone: 'Europe/Berlin', T: '2026-04-20T07:00:00Z', days: 10, expect: '2026-04-10T07:00:00.000Z', elapsedHours: 240 },
  { name: 'Berlin, T−10d lands in the skipped hour → moves forward', zone: 'Europe/Berlin', T: '2026-04-08T00:30:00Z', days: 10, expect: '2026-03-29T01:30:00.000Z', elapsedHours: 239 },
  // Europe/Berlin: 2026-10-25 03:00 CEST → 02:00 CET
  { name: 'Berlin, autumn change inside T−10d', zone: 'Europe/Berlin', T: '2026-10-29T08:00:00Z', days: 10, expect: '2026-10-19T07:00:00.000Z', elapsedHours: 241 },
  { name: 'Berlin, T−10d lands in the repeated hour → keeps T’s offset', zone: 'Europe/Berlin', T: '2026-11-04T01:30:00Z', days: 10, expect: '2026-10-25T01:30:00.000Z', elapsedHours: 240 },
  // America/New_York: 2026-03-08 (spring), 2026-11-01 (autumn)
  { name: 'New York, spring change inside T−10d', zone: 'America/New_York', T: '2026-03-12T14:00:00Z', days: 10, expect: '2026-03-02T15:00:00.000Z', elapsedHours: 239 },
  { name: 'New York, autumn change inside T−10d', zone: 'America/New_York', T: '2026-11-05T15:00:00Z', days: 10, expect: '2026-10-26T14:00:00.000Z', elapsedHours: 241 },
  { name: 'New York, spring change inside T−20d', zone: 'America/New_York', T: '2026-03-20T14:00:00Z', days: 20, expect: '2026-02-28T15:00:00.000Z', elapsedHours: 479 },
];
for (const c of dstCases) {
  test(`DST: ${c.name}`, () => {
    const at = minusCalendarDays(d(c.T), c.days, c.zone);
    assert.equal(at.toISOString(), c.expect);
    assert.equal((d(c.T).getTime() - at.getTime()) / HOUR, c.elapsedHours);
    if (!c.name.includes('skipped')) {
      // Same wall-clock time in the zone.
      const local = (x: Date): string => DateTime.fromJSDate(x, { zone: c.zone }).toFormat('HH:mm');
      assert.equal(local(at), local(d(c.T)));
    }
  });
}

const leadDstCases: Array<{ name: string; zone: string; T: string; placedAt: string; days: number; qualifies: boolean }> = [
  // 7 calendar days before 2026-04-02 09:00 CEST is 2026-03-26 09:00 CET = 167 h earlier.
  { name: 'Berlin spring: exactly 7 calendar days (167 h) qualifies', zone: 'Europe/Berlin', T: '2026-04-02T07:00:00Z', placedAt: '2026-03-26T08:00:00Z', days: 7, qualifies: true },
  { name: 'Berlin spring: one minute less does not', zone: 'Europe/Berlin', T: '2026-04-02T07:00:00Z', placedAt: '2026-03-26T08:01:00Z', days: 7, qualifies: false },
  // 7 calendar days before 2026-10-29 09:00 CET is 2026-10-22 09:00 CEST = 169 h earlier.
  { name: 'Berlin autumn: 168 h is less than 7 calendar days', zone: 'Europe/Berlin', T: '2026-10-29T08:00:00Z', placedAt: '2026-10-22T08:00:00Z', days: 7, qualifies: false },
  { name: 'Berlin autumn: exactly 7 calendar days (169 h) qualifies', zone: 'Europe/Berlin', T: '2026-10-29T08:00:00Z', placedAt: '2026-10-22T07:00:00Z', days: 7, qualifies: true },
  { name: 'New York spring: exactly 20 calendar days (479 h)', zone: 'America/New_York', T: '2026-03-20T14:00:00Z', placedAt: '2026-02-28T15:00:00Z', days: 20, qualifies: true },
  { name: 'New York spring: 20 days − 1 minute', zone: 'America/New_York', T: '2026-03-20T14:00:00Z', placedAt: '2026-02-28T15:01:00Z', days: 20, qualifies: false },
  { name: 'New York autumn: exactly 40 calendar days (961 h)', zone: 'America/New_York', T: '2026-11-20T15:00:00Z', placedAt: '2026-10-11T14:00:00Z', days: 40, qualifies: true },
  { name: 'New York autumn: 960 h is short of 40 calendar days', zone: 'America/New_York', T: '2026-11-20T15:00:00Z', placedAt: '2026-10-11T15:00:00Z', days: 40, qualifies: false },
];
for (const c of leadDstCases) {
  test(`lead time across DST: ${c.name}`, () => {
    assert.equal(hasLeadTime(d(c.placedAt), d(c.T), c.days, c.zone), c.qualifies);
  });
}

test('hour offsets are elapsed time across DST: T−42h, T−4h, T+15min', () => {
  // T = 2026-03-30 10:00 CEST (08:00Z); 42 h earlier is 2026-03-28 14:00Z = 15:00 CET (not 16:00 local).
  const s = planSchedule({ placedAt: d('2026-01-01T00:00:00Z'), cutoverAt: d('2026-03-30T08:00:00Z'), timeZone: 'Europe/Berlin', settings: ORCHESTRATOR_DEFAULTS });
  assert.equal(s.resyncs.at(-1)?.at.toISOString(), '2026-03-28T14:00:00.000Z');
  assert.equal(s.readinessAt.toISOString(), '2026-03-30T04:00:00.000Z');
  assert.equal(s.freezeAt.toISOString(), '2026-03-30T04:00:00.000Z');
  assert.equal(s.domainHoldAt.toISOString(), '2026-03-28T08:00:00.000Z');
  assert.equal(s.mxWindowEndsAt.toISOString(), '2026-03-30T08:10:00.000Z');
  assert.equal(s.mxAlertAt.toISOString(), '2026-03-30T08:15:00.000Z');
  assert.equal(s.finalAt.toISOString(), '2026-03-30T08:00:00.000Z');
});

test('completion at T+5 calendar days (119 h across the spring change)', () => {
  const s = planSchedule({ placedAt: d('2026-01-01T00:00:00Z'), cutoverAt: d('2026-03-27T11:00:00Z'), timeZone: 'Europe/Berlin', settings: ORCHESTRATOR_DEFAULTS });
  assert.equal(s.completionEarliestAt.toISOString(), '2026-04-01T10:00:00.000Z');
  assert.equal(s.ttlAdviceAt.toISOString(), '2026-03-24T11:00:00.000Z');
  assert.equal(s.userNoticeAt.toISOString(), '2026-03-26T11:00:00.000Z');
});

test('settings freeze from exactly T−4h (fake clock)', () => {
  const T = d('2026-06-15T10:00:00Z');
  const clock = new ManualClock('2026-06-15T05:59:59.999Z');
  assert.equal(isFrozenByTime(T, clock.now()), false);
  clock.advance(1);
  assert.equal(isFrozenByTime(T, clock.now()), true);
  assert.equal(isFrozenByTime(null, clock.now()), false);
});

// --- dueResync: when a round runs, catch-up after a re-plan
const placed = d('2026-04-01T10:00:00Z');
const T1 = d('2026-06-15T10:00:00Z'); // 75 days lead: T−20d, T−10d, T−42h
const points = planResyncs(placed, T1, 'UTC');
const dueCases: Array<{ name: string; now: string; started: string[]; expect: string | null }> = [
  { name: 'before the first point', now: '2026-05-26T09:59:59Z', started: [], expect: null },
  { name: 'at T−20d', now: '2026-05-26T10:00:00Z', started: [], expect: 'T-20d' },
  { name: 'T−20d started: nothing until T−10d', now: '2026-06-01T00:00:00Z', started: ['2026-05-26T10:00:00Z'], expect: null },
  { name: 'at T−10d', now: '2026-06-05T10:00:00Z', started: ['2026-05-26T10:00:00Z'], expect: 'T-10d' },
  { name: 'at T−42h', now: '2026-06-13T16:00:00Z', started: ['2026-05-26T10:00:00Z', '2026-06-05T10:00:00Z'], expect: 'T-42h' },
  { name: 'missed two points: one catch-up round for the latest', now: '2026-06-10T00:00:00Z', started: [], expect: 'T-10d' },
  { name: 'at T: no resync any more', now: '2026-06-15T10:00:00Z', started: [], expect: null },
];
for (const c of dueCases) {
  test(`dueResync: ${c.name}`, () => {
    const due = dueResync(points, c.started.map(d), T1, d(c.now));
    assert.equal(due?.label ?? null, c.expect);
  });
}

test('moving T later re-plans: new keys, the old rounds do not cover the new points', () => {
  const T2 = new Date(T1.getTime() + 7 * DAY);
  const replanned = planResyncs(placed, T2, 'UTC');
  assert.notEqual(replanned[0]?.key, points[0]?.key);
  // T−20d and T−10d of T1 ran; at the new T−10d a round is due again.
  const due = dueResync(replanned, [d('2026-05-26T10:00:00Z'), d('2026-06-05T10:00:00Z')], T2, d('2026-06-12T10:00:00Z'));
  assert.equal(due?.label, 'T-10d');
  assert.equal(due?.at.toISOString(), '2026-06-12T10:00:00.000Z');
});

test('moving T earlier re-plans: past points are covered by rounds that ran after them, else one catch-up', () => {
  // T moved 8 days earlier, decided on 2026-05-30: new T−20d (05-18) was covered by the round of 05-26;
  // the new T−10d (05-28) is past and uncovered → one catch-up round now.
  const T3 = new Date(T1.getTime() - 8 * DAY);
  const replanned = planResyncs(placed, T3, 'UTC');
  assert.deepEqual(labels(replanned), ['T-20d', 'T-10d', 'T-42h']);
  const due = dueResync(replanned, [d('2026-05-26T10:00:00Z')], T3, d('2026-05-30T00:00:00Z'));
  assert.equal(due?.label, 'T-10d');
  // A lead time that shrank below 20 days drops the T−10d point.
  const late = planResyncs(d('2026-05-25T00:00:00Z'), T3, 'UTC');
  assert.deepEqual(labels(late), ['T-42h']);
});
