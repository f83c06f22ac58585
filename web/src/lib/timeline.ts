/**
 * The project's schedule around the cutover T, computed in the browser from the project's T, time
 * zone, placement time and status, with the rules of docs/status-flow.md ("Schedule rules and time
 * zones"). Offsets in days are calendar days in the project's time zone; offsets in hours and minutes
 * are elapsed time. The server stays the authority: this draws the plan, it decides nothing.
 */
import { DateTime } from 'luxon';

/** The statuses of the flow, in order. */
export const FLOW_STATUSES = [
  'draft', 'provisioning', 'domain_setup', 'domain_verification', 'creating_mailboxes',
  'waiting_for_cutover', 'switching_mx', 'migrating', 'sweeping', 'complete',
] as const;

/** What each status does, in a few words. */
export const STATUS_HINTS: Readonly<Record<string, string>> = {
  draft: 'settings editable; nothing runs',
  provisioning: 'target access, migration account, licences',
  domain_setup: 'first full passes; TXT record sent to the partner',
  domain_verification: 'TXT record re-checked; hold at T−48h if unverified',
  creating_mailboxes: 'target accounts, aliases, permissions',
  waiting_for_cutover: 'scheduled resyncs; readiness check at T−4h',
  switching_mx: 'the 10-minute MX window',
  migrating: 'final passes',
  sweeping: 'sweeps while mail still lands on the old server',
  complete: 'migration access removed; history read-only',
};

/** Kinds of schedule entries (they get their own look). */
export type TimelineKind = 'resync' | 'deadline' | 'notice' | 'cutover' | 'window' | 'sweep' | 'completion';

/** One point of the schedule. */
export interface TimelineEntry {
  readonly key: string;
  readonly at: Date;
  /** End of a window (the MX window). */
  readonly until?: Date;
  readonly kind: TimelineKind;
  readonly label: string;
  readonly detail: string;
}

/** Inputs of `buildTimeline`. */
export interface TimelineInput {
  readonly cutoverAt: string;
  readonly timeZone: string;
  /** When the project left draft; lead time is measured from here (now while still a draft). */
  readonly placedAt: string | null;
  readonly now: Date;
  readonly sweepIntervalHours?: number;
  readonly completionAfterDays?: number;
}

function zoned(iso: string, zone: string): DateTime {
  const dt = DateTime.fromISO(iso, { zone });
  return dt.isValid ? dt : DateTime.fromISO(iso, { zone: 'utc' });
}

/** Calendar days before/after T in the project's zone (T−10d is the same wall-clock time ten dates earlier). */
function calendarDays(t: DateTime, days: number): Date {
  return t.plus({ days }).toJSDate();
}

function hours(t: DateTime, h: number): Date {
  return new Date(t.toMillis() + h * 3600_000);
}

/** The resync points for a lead time: ≥7 d → T−42h; ≥20 d → also T−10d; ≥40 d → also T−20d. */
export function resyncPoints(t: DateTime, leadDays: number): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  if (leadDays >= 40) out.push({ key: 'resync:T-20d', at: calendarDays(t, -20), kind: 'resync', label: 'Resync T−20d', detail: 'delta pass for every active mailbox (lead time ≥ 40 days)' });
  if (leadDays >= 20) out.push({ key: 'resync:T-10d', at: calendarDays(t, -10), kind: 'resync', label: 'Resync T−10d', detail: 'delta pass for every active mailbox (lead time ≥ 20 days)' });
  if (leadDays >= 7) out.push({ key: 'resync:T-42h', at: hours(t, -42), kind: 'resync', label: 'Resync T−42h', detail: 'delta pass for every active mailbox (lead time ≥ 7 days)' });
  return out;
}

/** Every planned point around T, in time order. */
export function buildTimeline(input: TimelineInput): TimelineEntry[] {
  const t = zoned(input.cutoverAt, input.timeZone);
  const placed = input.placedAt ? zoned(input.placedAt, input.timeZone) : DateTime.fromJSDate(input.now, { zone: input.timeZone });
  // Lead time in calendar days (the 7/20/40-day rules are calendar days in the zone).
  const leadDays = t.startOf('minute').diff(placed.startOf('minute'), 'days').days;
  const sweepEvery = input.sweepIntervalHours ?? 12;
  const completionDays = input.completionAfterDays ?? 5;
  const entries: TimelineEntry[] = [
    ...resyncPoints(t, leadDays),
    { key: 'ttl', at: calendarDays(t, -3), kind: 'notice', label: 'MX TTL advice', detail: 'the contact is told to lower the MX TTL when it is above 300 s' },
    { key: 'hold', at: hours(t, -48), kind: 'deadline', label: 'Domain verified by', detail: 'an unverified domain puts the project on hold' },
    { key: 'notice', at: hours(t, -24), kind: 'notice', label: 'Users told', detail: 'end users get “the switch is coming”' },
    { key: 'freeze', at: hours(t, -4), kind: 'deadline', label: 'Readiness check · settings frozen', detail: 'problems raise an alert; settings cannot change from here' },
    { key: 'T', at: t.toJSDate(), until: hours(t, 10 / 60), kind: 'cutover', label: 'Cutover T · MX window', detail: 'MX switched to the target within 10 minutes; final passes follow' },
    { key: 'mx-alert', at: hours(t, 15 / 60), kind: 'deadline', label: 'MX alert', detail: 'alert when the MX still points to the old server' },
  ];
  const completion = calendarDays(t, completionDays);
  for (let h = sweepEvery, n = 1; hours(t, h) < completion; h += sweepEvery, n++) {
    entries.push({ key: `sweep:${n}`, at: hours(t, h), kind: 'sweep', label: `Sweep ${n}`, detail: 'delta pass for mail still arriving at the old server' });
  }
  entries.push({ key: 'complete', at: completion, kind: 'completion', label: `Completion from T+${completionDays}d`, detail: 'when no pass runs and the source stayed quiet for the quiet period' });
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** Index of the first entry still ahead of `now` (entries.length when all are past). */
export function nextIndex(entries: readonly TimelineEntry[], now: Date): number {
  const i = entries.findIndex((e) => (e.until ?? e.at).getTime() > now.getTime());
  return i === -1 ? entries.length : i;
}

/** T−4h: from here the settings are frozen. */
export function freezeAt(cutoverAt: string): Date {
  return new Date(new Date(cutoverAt).getTime() - 4 * 3600_000);
}

/** Statuses in which the settings can no longer change, whatever the time. */
const FROZEN_STATUSES = new Set(['switching_mx', 'migrating', 'sweeping', 'complete', 'cancelled']);

/** Why the settings are locked, or null when they can be edited. */
export function settingsLockReason(project: { status: string; cutoverAt: string | null }, now: Date): string | null {
  if (FROZEN_STATUSES.has(project.status)) return `Settings are locked: the project is ${project.status.replace(/_/g, ' ')}; the cutover has started or ended.`;
  if (project.cutoverAt && now.getTime() >= freezeAt(project.cutoverAt).getTime()) {
    return 'Settings are frozen from T−4h: the readiness check has run against them and the cutover is close. The cutover time can still be moved with the API (postponing).';
  }
  return null;
}
